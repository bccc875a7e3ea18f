variable "site" {
  default = "ams1"
}

locals {
  region = env("RUNBOOK_TEST_SURELY_UNSET") # ERROR: Error in function call
}
