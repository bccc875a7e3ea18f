variable "count" {
  type    = number
  default = "many" # ERROR: Invalid default value for variable
}

variable "servers" {
  type    = lisst(string) # ERROR: Invalid type specification
  default = []
}
