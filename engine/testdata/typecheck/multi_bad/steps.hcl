step "send_command" "brief" {
  when    = "host.vars.rle == 'core'" # ERROR: Invalid when expression
  command = "show ip interface brief"
  assert "a" {
    expr = "all(vars.ntp_serverz, {# != ''})" # ERROR: Invalid assertion
  }
}
