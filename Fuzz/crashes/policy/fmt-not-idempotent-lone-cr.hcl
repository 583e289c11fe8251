# comment
path "a" {
  capabilities = ["read"]
}
