inventory {
  host "r 1" { platform = "cisco_ios" } # ERROR: Invalid host name
}

step "save" "1st" { # ERROR: Invalid step name
}
