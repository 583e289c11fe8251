/// The operator CLI's client side (issue 6): Vault's HTTP API, arguments, Vault-like output.
public enum StrongroomCLI {}
