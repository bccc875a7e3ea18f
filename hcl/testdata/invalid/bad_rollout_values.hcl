inventory {
  host "r1" { platform = "cisco_ios" }
}

rollout {
  serial              = [] # ERROR: Invalid serial
  max_fail_percentage = -1 # ERROR: Invalid max_fail_percentage
}

step "save" "s" {}
