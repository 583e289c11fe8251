# KMIP operators
path "kmip/scope/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

path "sys/policy/admin" {
  capabilities = ["deny"]
}
