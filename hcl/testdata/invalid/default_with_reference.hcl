variable "base" {
  default = "10.0.1"
}

variable "servers" {
  default = ["${var.base}.100"] # ERROR: Variables not allowed
}
