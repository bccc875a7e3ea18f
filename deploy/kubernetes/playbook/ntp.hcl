# The playbook the shards run: playbooks/ntp.hcl, made for a pod. The
# Kubernetes manifests mount this directory (a ConfigMap) read-only at
# /etc/runbook/playbook, the known_hosts ConfigMap at /etc/runbook/ssh and
# the reports volume at /reports; credentials come from the
# runbook-credentials Secret as RUNBOOK_USERNAME, RUNBOOK_PASSWORD and
# RUNBOOK_SECRET. Replace the inventory with yours.

variable "ntp_servers" {
  type        = list(string)
  default     = ["10.0.1.100", "10.0.1.101"]
  description = "NTP servers every device must use."
}

variable "backup_dir" {
  type        = string
  default     = "/reports/ntp/backups"
  description = "Where the backups go: on the reports volume, since the playbook's own directory is read-only."
}

inventory {
  defaults {
    username         = env("RUNBOOK_USERNAME")
    password         = env("RUNBOOK_PASSWORD")
    secret           = env("RUNBOOK_SECRET")
    host_key_check   = "strict"
    known_hosts_file = "/etc/runbook/ssh/known_hosts"
    timeouts {
      connect = "10s"
      command = "30s"
    }
  }

  group "access" {
    platform = "cisco_ios"
    host "sw1" { address = "192.0.2.11" }
    host "sw2" { address = "192.0.2.12" }
  }

  group "core" {
    platform = "arista_eos"
    host "core1" { address = "192.0.2.21" }
    host "core2" { address = "192.0.2.22" }
  }

  group "dc" {
    platform = "cisco_nxos"
    host "leaf1" { address = "192.0.2.31" }
    host "leaf2" { address = "192.0.2.32" }
  }
}

step "backup" "running" {
  dir = var.backup_dir
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

  assert "all_servers_present" {
    expr    = "all(vars.ntp_servers, {output contains #})"
    message = "an NTP server is missing after the push"
  }
}
