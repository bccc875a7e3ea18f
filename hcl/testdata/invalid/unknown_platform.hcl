inventory {
  host "r1" { platform = "cisco_iso" } # ERROR: Unknown platform
  host "r2" { platform = "mikrotik" } # ERROR: Unknown platform
}
