# Nightly compliance audit: nothing here changes a device.
#
#   runbook audit playbooks/audit.hcl --html audit.html --json audit.json
#   runbook audit --lab playbooks/audit.hcl      # exits 1: the fresh lab has no NTP
#                                                # servers and the default SNMP community
#   runbook audit --from playbooks/backups playbooks/audit.hcl   # last night's backups
#
# The compliance blocks are the standard: rules over each device's running
# configuration, read the way the backup step reads it. Lines compare as
# whole configuration lines, never as substrings: "no ip http server" is
# not "ip http server", and "ntp server 10.0.1.10" is not
# "ntp server 10.0.1.100". See docs/audits.md.

variable "ntp_servers" {
  type        = list(string)
  default     = ["10.0.1.100", "10.0.1.101"]
  description = "NTP servers every device must use."
}

variable "banned_services" {
  type        = list(string)
  default     = ["ip http server", "ip http secure-server", "service finger"]
  description = "Services no device may run (a line, and the lines it starts)."
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

# Every platform of the inventory (IOS, EOS and NX-OS write these lines
# alike).
compliance "baseline" {
  rule "ntp" {
    severity = "high"
    message  = "every standard NTP server is configured"
    required = [for s in var.ntp_servers : "ntp server ${s}"]
  }

  rule "no_plaintext_services" {
    severity  = "high"
    message   = "no HTTP server and no finger"
    forbidden = var.banned_services
  }

  rule "snmp_community" {
    severity  = "high"
    message   = "no default SNMP community"
    forbidden = ["snmp-server community public", "snmp-server community private"]
  }

  rule "syslog" {
    severity = "medium"
    message  = "logs go to the central syslog server"
    regex    = true
    required = ["logging (host|server) 10\\.0\\.255\\.50"] # NX-OS says server
  }

  rule "hostname" {
    severity = "low"
    message  = "the device has a name"
    regex    = true
    required = ["(hostname|switchname) \\S+"]
  }
}

compliance "ios_access" {
  platforms = ["cisco_ios"]

  rule "vty_ssh_only" {
    severity = "high"
    message  = "remote logins use SSH only, with local accounts"
    section "line vty .*" {
      must_exist = true
      required   = ["transport input ssh", "login local"]
      forbidden  = ["transport input telnet", "transport input all"]
    }
  }

  rule "ssh_v2" {
    severity = "medium"
    message  = "SSH version 1 is off"
    required = ["ip ssh version 2"]
  }

  # The golden configuration's lines, compared section by section: what is
  # missing, what is extra, and the lines that fix it.
  intended       = file("golden/ios.cfg")
  intended_match = ["no ip http .*", "ip ssh .*", "ntp server .*", "logging host .*", "line vty .*"]
}

compliance "eos_management" {
  platforms = ["arista_eos"]

  rule "no_http_api" {
    severity = "medium"
    message  = "the HTTP API (eAPI) is off"
    section "management api http-commands" {
      forbidden = ["no shutdown"]
    }
  }
}

# Read-only steps run too: their assertions are rules of the audit, over
# what the devices say (parsed with TextFSM), not over their configuration.
step "backup" "nightly" {
  dir  = "backups"
  keep = 30
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
