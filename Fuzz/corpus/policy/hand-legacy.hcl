name = "legacy"
path "secret/*" {
  policy = "write"
}
path "secret/super-secret" {
  policy = "deny"
}
path "sys/*" {
  policy = "sudo"
  capabilities = ["patch"]
}
path "read/only" = {
  policy = "read"
}
