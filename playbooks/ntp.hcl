# Standard NTP servers on every device: back up, look, push, save, verify.
#
#   runbook apply playbooks/ntp.hcl
#   runbook apply --var 'ntp_servers=["10.0.1.200"]' playbooks/ntp.hcl

variable "ntp_servers" {
  type        = list(string)
  default     = ["10.0.1.100", "10.0.1.101"]
  description = "NTP servers every device must use."
}

inventory {
  defaults {
    username = env("RUNBOOK_USERNAME")
    password = env("RUNBOOK_PASSWORD") # secrets come from the environment, never the file
    secret   = env("RUNBOOK_SECRET")   # enable secret
    timeouts {
      connect = "10s"
      command = "30s"
    }
  }

  group "access" {
    platform = "cisco_ios"
    vars     = { role = "access" }
    host "sw1" { address = "192.0.2.11" }
    host "sw2" { address = "192.0.2.12" }
  }

  group "core" {
    platform = "arista_eos"
    vars     = { role = "core" }
    host "core1" { address = "192.0.2.21" }
    host "core2" { address = "192.0.2.22" }
  }

  group "dc" {
    platform = "cisco_nxos"
    vars     = { role = "leaf" }
    host "leaf1" { address = "192.0.2.31" }
    host "leaf2" { address = "192.0.2.32" }
  }
}

step "backup" "running" {
  dir = "backups"
}

step "send_command" "pre" {
  command = "show running-config | include ntp server"
}

step "send_config_set" "push" {
  depends_on = [step.backup.running, step.send_command.pre]
  commands   = [for s in var.ntp_servers : "ntp server ${s}"]
}

step "save" "config" {
  depends_on = [step.send_config_set.push]
}

step "send_command" "verify" {
  depends_on = [step.save.config]
  command    = "show running-config | include ntp server"

  # Whole lines, not substrings: "ntp server 10.0.1.10" must not pass
  # because "ntp server 10.0.1.100" contains it. A server line may carry
  # options after the address (prefer, use-vrf ...).
  assert "all_servers_present" {
    expr    = "all(vars.ntp_servers, {let server = 'ntp server ' + #; any(split(output, '\\n'), {trim(#) == server or trim(#) startsWith server + ' '})})"
    message = "an NTP server is missing after the push"
  }
}
