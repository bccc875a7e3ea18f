inventory {
  host "r1" { platform = "cisco_ios" }
}

step "checkpoint" "before" {}

step "send_command" "post" {
  command = "show clock"
}

rollback {
  to              = step.send_command.post # ERROR: Invalid rollback target
  confirm_timeout = "30s" # ERROR: Invalid confirm_timeout
  timeout         = "soon" # ERROR: Invalid duration
  after           = 1 # ERROR: Unsupported argument
}

rollback { # ERROR: Duplicate rollback block
  to = step.checkpoint.before
}
