locals {
  name = host.name # ERROR: Invalid reference
}

inventory {
  host "r1" {
    platform = "cisco_ios"
    address  = step.send_command.x.output # ERROR: Invalid reference
  }
}

step "send_command" "x" {
  command = "show ${host.nmae}" # ERROR: Unknown host attribute
}
