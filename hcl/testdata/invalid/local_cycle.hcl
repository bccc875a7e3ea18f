locals {
  a = "${local.b}-x" # ERROR: Local value cycle
  b = upper(local.c)
  c = local.a
}
