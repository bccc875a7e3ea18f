inventory {
  host "r1" {
    platform = "cisco_ios"
    adress   = "192.0.2.1" # ERROR: Unsupported argument
  }
}
