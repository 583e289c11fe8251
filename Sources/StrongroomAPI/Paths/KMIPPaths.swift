import VaultFramework
/// Helpers shared by the `kmip/` paths.
enum KMIPPaths {
    /// `{"keys":[…]}`, or Vault's 404 `{"errors":[]}` for an empty list.
    static func keys(_ names: [String]) -> APIResponse {
        names.isEmpty ? .notFound : .data(["keys": .list(names.map(VaultValue.string))])
    }
}
