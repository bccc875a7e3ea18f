inventory {
  defaults {
    platform = "cisco_ios"
  }
  host "sw1" {
    address = "192.0.2.1"
    vars    = { role = "core", rack = 4 }
  }
  host "sw2" {
    address = "192.0.2.2"
    vars    = { role = "access" }
  }
}
step "send_command" "a" {
  when    = "host.vars.rol == 'core'" # ERROR: Invalid when expression
  command = "show clock"
  assert "name" {
    expr = "host.nme != ''" # ERROR: Invalid assertion
  }
  assert "rack" {
    expr = "host.vars.rack > 2 and host.vars.role == 'core' and host.platform == 'cisco_ios'"
  }
  assert "type" {
    expr = "host.vars.role > 2" # ERROR: Invalid assertion
  }
}
