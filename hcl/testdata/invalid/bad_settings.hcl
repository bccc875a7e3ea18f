settings {
  allow_plaintext_secrets = "yes please" # ERROR: Incorrect attribute value type
  template_dir            = "templates" # ERROR: Unsupported argument
}

settings { # ERROR: Duplicate settings block
}
