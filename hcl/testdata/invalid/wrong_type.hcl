inventory {
  host "r1" {
    platform = "cisco_ios"
    port     = "twenty-two" # ERROR: Incorrect attribute value type
  }
}

step "save" "config" {
  retries = [1] # ERROR: Incorrect attribute value type
}
