inventory {
  defaults {
    platform = "cisco_ios"
    username = "admin"
    password = "hunter2" # ERROR: Plaintext secret
  }
  host "r1" {
    secret = "enable-me" # ERROR: Plaintext secret
  }
}
