inventory {
  host "sw1" {
    address  = "192.0.2.1"
    platform = "cisco_ios"
  }
}
step "send_command" "pre" {
  command = "show clock"
}
step "send_config_set" "push" {
  commands = ["ntp server 10.0.1.100"]
}
step "send_command" "post" {
  command = "show clock"
  assert "a" {
    expr = "steps.prre.output == output" # ERROR: Invalid assertion
  }
  assert "b" {
    expr = "steps.pre.outptu == output" # ERROR: Invalid assertion
  }
  assert "c" {
    expr = "steps.push.changed and all(steps.push.lines, {not .failed}) and steps['send_command.pre'].output != ''"
  }
  assert "d" {
    expr = "any(steps.push.lines, {.comand == 'x'})" # ERROR: Invalid assertion
  }
}
