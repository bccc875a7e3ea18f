inventory {
  host "r1" { platform = "cisco_ios" }
}

step "send_command" "a" { # ERROR: Dependency cycle
  command = "show ${step.send_command.a.output}"
}
