variable "a" {
  default = 1
}

variable "a" { # ERROR: Duplicate variable
  default = 2
}

locals {
  x = 1
}

locals {
  x = 2 # ERROR: Duplicate local value
}
