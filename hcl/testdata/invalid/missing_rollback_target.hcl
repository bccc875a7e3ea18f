inventory {
  host "r1" { platform = "cisco_ios" }
}

rollback { # ERROR: Missing required argument
  confirm_timeout = "5m"
}

rollback { # ERROR: Duplicate rollback block
  to = "checkpoint.before"
}
