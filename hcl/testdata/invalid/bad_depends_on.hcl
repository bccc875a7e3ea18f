inventory {
  host "r1" { platform = "cisco_ios" }
}

step "send_command" "pre" {
  command = "show version"
}

step "save" "a" {
  depends_on = ["step.send_command.pre"] # ERROR: Invalid depends_on
}

step "save" "b" {
  depends_on = [step.send_command.pre.output] # ERROR: Invalid depends_on
}

step "save" "c" {
  depends_on = step.send_command.pre # ERROR: Invalid depends_on
}
