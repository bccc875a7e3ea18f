inventory {
  host "r1" { platform = "cisco_ios" }
}

step "send_command" "show" {
  command = "show version"
  assert "ok" {
    expr    = "output contains (" # ERROR: Invalid expression syntax
    message = "broken"
  }
}
