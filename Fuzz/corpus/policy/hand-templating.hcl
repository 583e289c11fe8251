path "secret/data/{{identity.entity.name}}/*" {
  capabilities = ["create", "read"]
}
path "secret/data/shared" {
  capabilities = ["read"]
  mfa_methods = ["totp"]
  control_group = { factor "ops" { identity { group_names = ["ops"] approvals = 1 } } }
}
