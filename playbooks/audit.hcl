# Read-only compliance audit: nothing here changes a device.
#
#   runbook check playbooks/audit.hcl --junit audit.xml
#   runbook apply --lab playbooks/audit.hcl     # the fresh lab fails the NTP
#                                               # check on purpose: exit 1

variable "ntp_servers" {
  type    = list(string)
  default = ["10.0.1.100", "10.0.1.101"]
}

variable "banned_services" {
  type        = list(string)
  default     = ["ip http server", "service finger"]
  description = "Config lines no device may have (whole lines, leading blanks ignored)."
}

locals {
  # One expr-lang list literal, built once from the HCL variable.
  banned = jsonencode(var.banned_services)
}

inventory {
  defaults {
    username       = env("RUNBOOK_USERNAME")
    password       = env("RUNBOOK_PASSWORD")
    secret         = env("RUNBOOK_SECRET")
    host_key_check = "strict"
  }

  group "access" {
    platform = "cisco_ios"
    tags     = ["campus"]
    host "sw1" { address = "192.0.2.11" }
    host "sw2" { address = "192.0.2.12" }
  }
  group "core" {
    platform = "arista_eos"
    tags     = ["core"]
    host "core1" { address = "192.0.2.21" }
    host "core2" { address = "192.0.2.22" }
  }
  group "dc" {
    platform = "cisco_nxos"
    tags     = ["dc"]
    host "leaf1" { address = "192.0.2.31" }
    host "leaf2" { address = "192.0.2.32" }
  }
}

step "send_command" "version" {
  command = "show version"
  tags    = ["inventory"]

  assert "answers" {
    expr    = "len(output) > 0"
    message = "show version returned nothing"
  }
}

step "send_command" "interfaces" {
  command    = "show ip interface brief"
  on_failure = "continue"

  # The template comes from the ntc-templates index (built in, or
  # NTC_TEMPLATES_DIR) by the host's platform and this command.
  parse {
    textfsm = "auto"
  }

  assert "loopback_addressed" {
    expr    = "any(result, {lower(.interface) startsWith 'lo' and .ip_address not in ['', 'unassigned']})"
    message = "no loopback interface has an address"
  }
}

step "send_command" "ntp" {
  command    = "show running-config | include ntp server"
  on_failure = "continue"

  assert "ntp_configured" {
    expr    = "all(vars.ntp_servers, {output contains #})"
    message = "not every standard NTP server is configured"
  }
}

step "send_command" "config" {
  command    = "show running-config"
  on_failure = "continue"

  assert "no_banned_services" {
    # Whole lines, not substrings: "no ip http server" contains
    # "ip http server" but is the line that turns it off.
    expr    = "none(${local.banned}, {# in map(split(output, '\\n'), trim(#))})"
    message = "a banned service is enabled"
  }
  assert "ssh_only" {
    expr    = "not (output matches '(?m)^ *transport input telnet')"
    message = "telnet is allowed on a line"
  }
}

step "assert" "summary" {
  depends_on = [step.send_command.ntp, step.send_command.config]

  assert "hostname_set" {
    expr    = "steps.config.output contains 'hostname ' + host.name"
    message = "the configured hostname differs from the inventory name"
  }
}
