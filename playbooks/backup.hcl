# Back up the running configuration of every device, keeping the last 14.
#
#   runbook apply playbooks/backup.hcl

variable "backup_dir" {
  type    = string
  default = "backups"
}

variable "keep" {
  type        = number
  default     = 14
  description = "How many backups to keep per device."
}

inventory {
  defaults {
    username = env("RUNBOOK_USERNAME")
    password = env("RUNBOOK_PASSWORD")
    secret   = env("RUNBOOK_SECRET")
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

step "send_command" "hostname" {
  command = "show running-config | include ^hostname"

  assert "has_hostname" {
    expr    = "output contains 'hostname'"
    message = "the device reports no hostname; is this the right device?"
  }
}

step "backup" "running" {
  dir  = var.backup_dir # files land in <dir>/<host>/<host>-<UTC time>.cfg
  keep = var.keep
}
