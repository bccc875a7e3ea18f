inventory {
  host "r1" { platform = "cisco_ios" }
}

stpe "save" "config" { # ERROR: Unsupported block type
}
