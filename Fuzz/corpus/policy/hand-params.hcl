path "secret/data/app" {
  capabilities = ["create", "update", "patch"]
  allowed_parameters = {
    "colour" = ["green", "blu*", "*ue"]
    "size"   = [1, 2.5, true]
    "*"      = []
  }
  denied_parameters = {
    "Policies" = ["root", "admin,ops"]
  }
  required_parameters = ["colour", "owner"]
}
