path "kmip/+/role/+" { capabilities = ["read", "list"] }
path "kmip/+/role/ops*" { capabilities = ["update"] }
path "+/config" { capabilities = ["read"] }
path "/sys/mounts/*" { capabilities = ["sudo", "read"] }
path "a/b/" { capabilities = ["list"] }
path "a/b" { capabilities = ["deny"] }
path "a/b*" { capabilities = ["read"] }
