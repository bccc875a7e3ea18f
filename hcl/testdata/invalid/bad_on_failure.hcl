inventory {
  host "r1" { platform = "cisco_ios" }
}

step "save" "config" {
  on_failure = "contnue" # ERROR: Invalid on_failure
}
