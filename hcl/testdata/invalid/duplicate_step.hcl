inventory {
  host "r1" { platform = "cisco_ios" }
}

step "save" "config" {
}

step "save" "config" { # ERROR: Duplicate step
}
