variable "ntp_servers" {
  default = ["10.0.1.100", "10.0.1.101"]
}
variable "dry_run" {
  type    = bool
  default = false
}
variable "site" {
  default = { name = "lab", vlans = [10, 20] }
}
inventory {
  host "sw1" {
    address  = "192.0.2.1"
    platform = "cisco_ios"
  }
}
step "send_command" "ntp" {
  when    = "vars.doit" # ERROR: Invalid when expression
  command = "show running-config | include ntp server"
  assert "all" {
    expr = "all(vars.ntp_server, {output contains #})" # ERROR: Invalid assertion
  }
  assert "ok" {
    expr = "all(vars.ntp_servers, {output contains #}) and vars.site.name == 'lab' and len(vars.site.vlans) == 2"
  }
  assert "site" {
    expr = "vars.site.nmae == 'lab'" # ERROR: Invalid assertion
  }
}
step "send_command" "typed" {
  when    = "vars.dry_run + 1 > 0" # ERROR: Invalid when expression
  command = "show clock"
}
