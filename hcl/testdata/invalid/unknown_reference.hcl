variable "ntp_servers" {
  default = ["10.0.1.100"]
}

inventory {
  host "r1" { platform = "cisco_ios" }
}

step "send_config_set" "push" {
  commands = [for s in var.ntp_server : "ntp server ${s}"] # ERROR: Unknown variable
}

step "send_command" "show" {
  command = "show ${local.what}" # ERROR: Unknown local value
}

step "send_command" "other" {
  command = "show ${nothing.here}" # ERROR: Unknown reference
}
