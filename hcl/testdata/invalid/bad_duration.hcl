inventory {
  host "r1" {
    platform = "cisco_ios"
    timeouts {
      connect = "10 seconds" # ERROR: Invalid duration
    }
  }
}

step "save" "config" {
  timeout = "fast" # ERROR: Invalid duration
}
