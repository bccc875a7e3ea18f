inventory {
  host "r1" { platform = "cisco_ios" }
}

step "send_command" "show" {
  command  = "show version"
  comand   = "show clock" # ERROR: Unsupported argument
}
