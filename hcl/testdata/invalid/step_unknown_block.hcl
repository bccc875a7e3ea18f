inventory {
  host "r1" { platform = "cisco_ios" }
}

step "send_command" "show" {
  command = "show version"
  asert "ok" { # ERROR: Unsupported block type
    expr = "true"
  }
  parse {
    textfsm = "auto"
  }
  parse { # ERROR: Duplicate parse block
    textfsm = "auto"
  }
}
