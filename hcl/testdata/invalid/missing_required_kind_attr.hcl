inventory {
  host "r1" { platform = "cisco_ios" }
}

step "send_command" "show" { # ERROR: Missing required argument
}

step "backup" "running" { # ERROR: Missing required argument
  keep = 3
}
