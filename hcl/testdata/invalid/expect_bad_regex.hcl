inventory {
  host "r1" { platform = "cisco_ios" }
}

step "expect" "reload" {
  command = "reload"
  expect "confirm[" { # ERROR: Invalid regular expression
    send = "y"
  }
}
