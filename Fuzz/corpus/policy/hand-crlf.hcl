path "win/crlf" {
  capabilities = ["read"]
}
