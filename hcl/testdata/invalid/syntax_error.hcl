inventory {
  host "r1" {
    platform = "cisco_ios"
    address = "192.0.2.1" "extra" # ERROR: Missing newline after argument
  }
}
