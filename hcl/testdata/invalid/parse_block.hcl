inventory {
  host "r1" { platform = "cisco_ios" }
}

step "send_command" "a" {
  command = "show version"
  parse { # ERROR: Missing parse template
    allow_empty = true
  }
}

step "send_command" "b" {
  command = "show version"
  parse {
    textfsm  = "auto"
    template = "Value X (.*)" # ERROR: Conflicting parse options
  }
}
