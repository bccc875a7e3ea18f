inventory {
  host "sw1" {
    address  = "192.0.2.1"
    platform = "cisco_ios"
  }
  host "leaf1" {
    address  = "192.0.2.2"
    platform = "cisco_nxos"
  }
}
step "send_command" "brief" {
  command = "show ip interface brief"
  parse {
    textfsm = "auto"
  }
  assert "fields" {
    expr = "any(result, {.interface startsWith 'Lo' and .ip_address != ''})"
  }
  assert "typo" {
    expr = "any(result, {.intf startsWith 'Lo'})" # ERROR: Invalid assertion
  }
}
step "send_command" "inline" {
  command = "show clock"
  parse {
    template = "Value TIME (\\S+)\nValue List ZONES (\\S+)\n\nStart\n  ^$${TIME} $${ZONES} -> Record\n"
  }
  assert "ok" {
    expr = "result[0].time != '' and len(result[0].zones) > 0 and any(steps.brief.result, {.interface != ''})"
  }
  assert "typo" {
    expr = "result[0].tme != ''" # ERROR: Invalid assertion
  }
  assert "earlier" {
    expr = "any(steps.brief.result, {.interfac != ''})" # ERROR: Invalid assertion
  }
}
step "send_command" "unknown" {
  command = "show ntp status"
  parse { # ERROR: No template for this step
    textfsm = "auto"
  }
}
