inventory {
  host "r1" { platform = "cisco_ios" }
}

step "send_command" "pre" {
  command = "show version"
}

step "send_command" "post" {
  depends_on = [step.send_command.per] # ERROR: Unknown step
  command    = "show version"
}

step "send_command" "later" {
  command = "show ${step.send_comand.pre.output}" # ERROR: Unknown step
}
