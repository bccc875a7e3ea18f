inventory {
  host "r1" { platform = "cisco_ios" }
}

step "checkpoint" "before" {}

rollback {
  to = step.checkpoint.befor # ERROR: Unknown step
}
