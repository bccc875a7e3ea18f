inventory {
  host "r1" {
    platform = "cisco_ios"
    port     = 70000 # ERROR: Invalid port
  }
}
