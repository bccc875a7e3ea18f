# Three device families runbook has no built-in platform for, described
# in the playbook itself (see docs/platforms.md):
#
#   runbook apply --lab playbooks/platforms.hcl
#
# The lab has a device of each kind: hp_comware, huawei_vrp and
# mikrotik_routeros inventory platforms get one.

platform "hp_comware" {
  base              = "cisco_ios"
  prompt_privileged = "^<(?P<host>[^<>\\s]+)>\\s*$"
  prompt_config     = "^\\[(?P<host>[^\\[\\]\\s]+)\\]\\s*$"
  config_command    = "system-view"
  config_exit       = "return"
  disable_paging    = ["screen-length disable"]
  errors            = ["% Unrecognized command", "% Incomplete command", "% Wrong parameter", "% Too many parameters", "% Ambiguous command"]
  show_config       = "display current-configuration"
  save_command      = "save force"
  save_success      = "(?i)saved the current configuration"
  hostname_change   = "^\\s*sysname\\s+\\S"
}

platform "huawei_vrp" {
  base              = "cisco_ios"
  prompt_privileged = "^<(?P<host>[^<>\\s]+)>\\s*$"
  prompt_config     = "^\\[~?\\*?(?P<host>[^\\[\\]\\s~*]+)\\]\\s*$"
  config_command    = "system-view"
  config_exit       = "return"
  disable_paging    = ["screen-length 0 temporary"]
  errors            = ["Error:"]
  show_config       = "display current-configuration"
  save_command      = "save"
  save_confirm = {
    "(?i)are you sure to continue\\?\\s*\\[y/n\\]:?\\s*$" = "y"
  }
  save_success    = "(?i)save the configuration successfully"
  hostname_change = "^\\s*sysname\\s+\\S"
}

platform "mikrotik_routeros" {
  base              = "cisco_ios"
  prompt_privileged = "^\\[(?P<host>[^\\[\\]\\s]+)\\]\\s*(?:/[^>]*)?>\\s*$"
  disable_paging    = []
  errors            = ["bad command name", "syntax error", "expected end of command", "failure:", "input does not match"]
  show_config       = "/export"
  save_command      = ""
  hostname_change   = "^\\s*/system identity set name="
}

inventory {
  defaults {
    username = env("RUNBOOK_USERNAME")
    password = env("RUNBOOK_PASSWORD")
  }
  host "comware1" {
    address  = "192.0.2.41"
    platform = "hp_comware"
  }
  host "vrp1" {
    address  = "192.0.2.42"
    platform = "huawei_vrp"
  }
  host "mikrotik1" {
    address  = "192.0.2.43"
    platform = "mikrotik_routeros"
  }
}

# The commands differ per family: each step runs on its hosts only.
step "send_command" "version" {
  when    = "host.platform != \"mikrotik_routeros\""
  command = "display version"
}

step "send_command" "identity" {
  when    = "host.platform == \"mikrotik_routeros\""
  command = "/system identity print"
}

step "send_config_set" "ntp" {
  when     = "host.platform != \"mikrotik_routeros\""
  commands = ["ntp-service unicast-server 10.0.1.100"]
}

step "send_config_set" "dns" {
  when     = "host.platform == \"mikrotik_routeros\""
  commands = ["/ip dns set servers=10.0.1.53"]
  match    = "none" # an /ip dns "set" is an action RouterOS shows in another form
}

step "save" "config" {}
