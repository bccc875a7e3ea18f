variable "ntp_servers" {
  type    = list(string)
  default = ["10.0.1.100"]
}
