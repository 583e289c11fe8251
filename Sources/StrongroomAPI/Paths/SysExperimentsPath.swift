import VaultFramework

/// Vault's server experiments: features off by default, switched on by the operator (config file
/// `experiments`, or `strongroom server -experiment NAME`), never through the API.
public enum APIExperiments {
    /// Vault 2.0's KMIP client API: `kmip/template`, `kmip/template/:name`, `…/role/:role/client…`.
    public static let kmipClientAPI = "kmip.client_api.alpha1"
    public static let available = [kmipClientAPI]

    /// The paths the enabled experiments add.
    public static func paths(_ enabled: Set<String>) -> [APIPath] {
        enabled.contains(kmipClientAPI) ? [KMIPTemplatePath.list, KMIPTemplatePath.path] + KMIPClientPath.paths : []
    }
}

/// `GET sys/experiments`: the experiments this server knows and those it runs with. Tokens with
/// `read` on it.
enum SysExperimentsPath {
    static func path(enabled: Set<String>) -> APIPath {
        APIPath("sys/experiments", scope: .system, help: "List the available and the enabled experiments.",
                operations: [.read: { _ in
                    .data(["available": .list(APIExperiments.available.map(VaultValue.string)),
                           "enabled": .list(enabled.sorted().map(VaultValue.string))])
                }])
    }
}

extension APIPaths {
    /// Registers `sys/experiments` and the paths of the enabled experiments.
    public mutating func register(experiments enabled: Set<String>) {
        register(SysExperimentsPath.path(enabled: enabled))
        for path in APIExperiments.paths(enabled) { register(path) }
    }
}
