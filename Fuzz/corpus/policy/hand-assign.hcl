path = {
  "kmip/scope/prod/*" = { capabilities = ["read", "list"] },
  "kmip/scope/dev/*" = {
    capabilities = ["create", "read", "update", "delete", "list", "patch", "recover", "subscribe"]
    subscribe_event_types = ["kv*"]
  }
}
