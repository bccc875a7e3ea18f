inventory {
  host "r1" { platform = "cisco_ios" }
}

step "send_command" "a" { # ERROR: Dependency cycle
  depends_on = [step.save.b]
  command    = "show version"
}

step "save" "b" {
  depends_on = [step.send_command.c]
}

step "send_command" "c" {
  command = "show ${step.send_command.a.output}"
}
