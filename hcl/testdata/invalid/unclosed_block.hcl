step "save" "config" { # ERROR: Unclosed configuration block
  depends_on = []
