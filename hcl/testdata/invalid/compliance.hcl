inventory {
  group "core" {
    platform = "cisco_ios"
    host "r1" {}
  }
}

step "send_command" "v" { command = "show version" }

compliance "base" {
  platforms = ["cisco_iso"] # ERROR: Unknown platform
  groups    = ["cores"]     # ERROR: Unknown group

  rule "ntp" {
    severity = "critical" # ERROR: Invalid severity
    required = ["ntp server 10.0.1.100"]
  }
  rule "ntp" { # ERROR: Duplicate rule id
    required = ["ntp server 10.0.1.101"]
  }
  rule "bad regex" { # ERROR: Invalid rule id
    required = ["x"]
  }
  rule "regex" {
    regex     = true
    required  = ["ntp server (10\\.0\\.1\\.1"] # ERROR: Invalid regular expression
    forbidden = [""]                          # ERROR: Empty line
  }
  rule "section" {
    section "interface [Gi" { # ERROR: Invalid regular expression
      required = ["shutdown"]
    }
    section "line vty .*" {
      must_exist = "yes" # ERROR: Incorrect attribute value type
      colour     = "red" # ERROR: Unsupported argument
    }
  }
  rule "empty" { # ERROR: Empty rule
    message = "checks nothing"
  }
}

compliance "base" { # ERROR: Duplicate compliance block
  rule "x" { required = ["a"] }
}

compliance "nothing" { # ERROR: Empty compliance block
}
