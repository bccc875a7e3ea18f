# A change window: pre-checks, the change, post-checks.
# The change adds a syslog server; post-checks prove it took.
#
#   runbook apply --var log_host=10.0.9.10 playbooks/change-window.hcl
#   runbook apply --lab --var dry_run=true playbooks/change-window.hcl
#
# With dry_run = true the pre-checks and the backup run; the change, the
# save and the post-check of the change are skipped.

variable "log_host" {
  type        = string
  default     = "10.0.9.9"
  description = "Syslog server to add."
}

variable "dry_run" {
  type    = bool
  default = false
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

# --- pre-checks: stop the device here if it is not in the expected state.

step "backup" "before" {
  dir = "backups"
}

step "send_command" "pre_logging" {
  command = "show running-config | include logging"
  assert "not_yet_configured" {
    expr    = "not (output contains 'logging host ${var.log_host}')"
    message = "the log host is already configured; nothing to change"
  }
}

# --- the change.

step "send_config_set" "logging" {
  depends_on = [step.backup.before, step.send_command.pre_logging]
  when       = "!vars.dry_run"
  commands   = ["logging host ${var.log_host}"]
  timeout    = "60s"
}

# A step skipped by `when` does not skip its dependents, so every step that
# changes the device (or checks the change) says dry_run itself.
step "save" "config" {
  depends_on = [step.send_config_set.logging]
  when       = "!vars.dry_run"
  retries    = 1
}

# --- post-checks: a failure here is reported but the others still run.

step "send_command" "post_logging" {
  depends_on = [step.save.config]
  command    = "show running-config | include logging"
  when       = "!vars.dry_run"
  on_failure = "continue"

  assert "configured" {
    expr    = "output contains 'logging host ${var.log_host}'"
    message = "the log host is missing after the change"
  }
}

step "send_command" "post_version" {
  depends_on = [step.save.config]
  command    = "show version"
  on_failure = "continue"

  assert "still_answers" {
    expr    = "len(output) > 0"
    message = "the device stopped answering after the change"
  }
}
