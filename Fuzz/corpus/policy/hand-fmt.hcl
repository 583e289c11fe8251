path "unaligned"   {
capabilities=["read"]
    min_wrapping_ttl     = "5m"
  max_wrapping_ttl="10m"


}
path "b" { capabilities = ["read"] } path "c" { capabilities = ["list"] }
