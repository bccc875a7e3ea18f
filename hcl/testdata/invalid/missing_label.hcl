inventory {
  host "r1" { platform = "cisco_ios" }
}

step "save" { # ERROR: Missing name for step
}
