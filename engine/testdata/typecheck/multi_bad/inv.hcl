inventory {
  host "sw1" {
    address  = "192.0.2.1"
    platform = "cisco_ios"
    vars     = { role = "core" }
  }
}
