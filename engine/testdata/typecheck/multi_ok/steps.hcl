step "send_command" "brief" {
  when    = "host.vars.role == 'core'"
  command = "show ip interface brief"
  parse {
    textfsm = "auto"
  }
  assert "a" {
    expr = "all(vars.ntp_servers, {# != ''}) and any(result, {.interface != ''})"
  }
}
