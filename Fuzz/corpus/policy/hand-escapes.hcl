path "secret/\u00e9t\u00e9/\"quoted\"\\tab\t" {
  capabilities = ["read", "update",]
  allowed_parameters = { "n" = [-1.5e3, 0, 1E+2], "s" = ["\U0001F600", "a\nb"] }
}
path "secret/crlf" { capabilities = ["list"] }
