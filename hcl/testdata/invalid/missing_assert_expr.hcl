inventory {
  host "r1" { platform = "cisco_ios" }
}

step "send_command" "show" {
  command = "show version"
  assert "ok" { # ERROR: Missing required argument
    message = "no expr"
  }
  assert "ok" { # ERROR: Duplicate assertion
    expr = "true"
  }
}
