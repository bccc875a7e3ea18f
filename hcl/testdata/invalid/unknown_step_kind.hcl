inventory {
  host "r1" { platform = "cisco_ios" }
}

step "send_comand" "pre" { # ERROR: Unknown step kind
  command = "show version"
}
