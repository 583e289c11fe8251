/// The Vault-compatible HTTP API (issue 6). See DESIGN.md §2.
public enum StrongroomAPI {}
