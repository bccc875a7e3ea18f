inventory {
  host "r1" { # ERROR: Missing platform
    address = "192.0.2.1"
  }
}
