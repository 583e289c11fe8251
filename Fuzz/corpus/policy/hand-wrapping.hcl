path "auth/token/create" {
  capabilities = ["update", "sudo"]
  min_wrapping_ttl = "1m30s"
  max_wrapping_ttl = "2d"
}
path "auth/token/lookup" {
  capabilities = ["read"]
  min_wrapping_ttl = 60
  max_wrapping_ttl = "1h0.5m"
}
