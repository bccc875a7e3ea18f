inventory {
  host "r1" { platform = "cisco_ios" }
}

rollout {
  serial = [0, "0%", "101%", "abc", 1.5, -2, true, "25%", 3] # ERROR: Invalid serial entry # ERROR: Invalid serial entry # ERROR: Invalid serial entry # ERROR: Invalid serial entry # ERROR: Invalid serial entry # ERROR: Invalid serial entry # ERROR: Invalid serial entry
  max_fail_percentage = 101 # ERROR: Invalid max_fail_percentage
  batch_size = 3 # ERROR: Unsupported argument
}

rollout { # ERROR: Duplicate rollout block
  serial = []
}
