inventory {
  defaults {
    platform       = "cisco_ios"
    host_key_check = "accept_new" # ERROR: Invalid host_key_check
  }
  host "r1" {}
}
