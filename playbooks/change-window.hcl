# A change window: pre-checks, a restore point, the change, post-checks, and
# a rollback to the restore point on every device where a step after it
# fails; one canary device first. docs/change-windows.md explains each part.
#
#   runbook apply --lab playbooks/change-window.hcl
#   runbook apply --lab --var dry_run=true playbooks/change-window.hcl
#   runbook apply --lab --lab-fault leaf1:reject_config=^logging playbooks/change-window.hcl
#
# The third run rolls leaf1 back (its device refuses the line) and exits 1;
# the others keep the change.

variable "log_host" {
  type        = string
  default     = "10.0.9.9"
  description = "Syslog server to add."
}

variable "dry_run" {
  type        = bool
  default     = false
  description = "Run the pre-checks and take the restore point; change nothing."
}

locals {
  # The same change in each platform's own syntax.
  log_line = {
    cisco_ios     = "logging host ${var.log_host}"
    arista_eos    = "logging host ${var.log_host}"
    cisco_nxos    = "logging server ${var.log_host}"
    juniper_junos = "set system syslog host ${var.log_host} any any"
  }
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
  group "edge" {
    platform = "juniper_junos"
    host "edge1" { address = "192.0.2.41" }
    host "edge2" { address = "192.0.2.42" }
  }
}

# A canary, then everyone; any failure stops the batches not yet started.
rollout {
  serial              = [1, "100%"]
  max_fail_percentage = 0
}

# Any failure after the checkpoint restores it; on Junos the change is
# committed with a 5-minute confirm timer, so it reverts by itself if
# runbook loses the device.
rollback {
  to              = step.checkpoint.before_change
  confirm_timeout = "5m"
}

# --- pre-checks: a device not in the expected state stops here.

step "backup" "before" {
  dir = "backups"
}

step "send_command" "pre_interfaces" {
  command = host.platform == "juniper_junos" ? "show interfaces terse" : "show ip interface brief"
  parse { textfsm = "auto" }
  assert "has_interfaces" {
    expr    = "len(result) > 0"
    message = "no interface parsed: not the device we expect"
  }
}

# --- the restore point, then the change.

step "checkpoint" "before_change" {
  depends_on = [step.backup.before, step.send_command.pre_interfaces]
}

step "send_config_set" "logging" {
  depends_on = [step.checkpoint.before_change]
  when       = "!vars.dry_run"
  commands   = [local.log_line[host.platform]]
  timeout    = "60s"
}

# Saves only where the push changed something (and never in a dry run).
step "save" "config" {
  depends_on = [step.send_config_set.logging]
  when       = "!vars.dry_run"
}

# --- post-checks: any failure here rolls the device back.

step "send_command" "post_logging" {
  depends_on = [step.save.config]
  when       = "!vars.dry_run"
  command    = host.platform == "juniper_junos" ? "show configuration | display set" : "show running-config"

  assert "configured" {
    # A whole line, not a substring: "logging host 10.0.9.9" must not
    # match "logging host 10.0.9.99" or "no logging host 10.0.9.9".
    expr    = "any(split(output, '\\n'), {trim(#) in ['logging host ${var.log_host}', 'logging server ${var.log_host}', 'set system syslog host ${var.log_host} any any']})"
    message = "the log host is missing after the change"
  }
}

step "send_command" "post_interfaces" {
  depends_on = [step.save.config]
  command    = host.platform == "juniper_junos" ? "show interfaces terse" : "show ip interface brief"
  parse { textfsm = "auto" }

  assert "no_interface_lost" {
    expr    = "len(diff(steps.pre_interfaces.result, result, ['interface']).removed) == 0"
    message = "an interface disappeared during the change"
  }
  assert "no_interface_changed" {
    expr    = "len(diff(steps.pre_interfaces.result, result, ['interface']).changed) == 0"
    message = "an interface changed state during the change"
  }
}
