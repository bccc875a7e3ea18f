inventory {
  group "core" {
    platform = "arista_eos"
    host "r1" {}
  }
  host "r1" { platform = "cisco_ios" } # ERROR: Duplicate host
}
