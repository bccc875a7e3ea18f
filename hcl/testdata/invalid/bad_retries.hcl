inventory {
  host "r1" { platform = "cisco_ios" }
}

step "save" "a" {
  retries = 1.5 # ERROR: Invalid retries
}

step "save" "b" {
  retries = -1 # ERROR: Invalid retries
}
