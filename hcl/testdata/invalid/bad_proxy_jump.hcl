inventory {
  defaults {
    platform   = "cisco_ios"
    proxy_jump = ["ops@bastion:99999"] # ERROR: Invalid proxy_jump
  }
  host "r1" {
    proxy_jump = ["two words"] # ERROR: Invalid proxy_jump
  }
  host "r2" {
    ssh_agent = "sometimes" # ERROR: Incorrect attribute value type
  }
}
