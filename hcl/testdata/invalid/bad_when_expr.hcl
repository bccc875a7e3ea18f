inventory {
  host "r1" { platform = "cisco_ios" }
}

step "save" "config" {
  when = "host.platform == == 'cisco_ios'" # ERROR: Invalid expression syntax
}
