import Foundation

/// Where the CLI talks to and as whom, resolved like Vault's client with Strongroom's variables first.
public struct ClientConfiguration: Sendable, Equatable {
    public static let defaultAddress = "http://127.0.0.1:8200"

    public var address: String
    /// Sent as `X-Vault-Token`; never printed.
    public var token: String?
    public var caCert: String?
    public var tlsSkipVerify: Bool

    public init(address: String = ClientConfiguration.defaultAddress, token: String? = nil,
                caCert: String? = nil, tlsSkipVerify: Bool = false) {
        self.address = address
        self.token = token
        self.caCert = caCert
        self.tlsSkipVerify = tlsSkipVerify
    }

    /// Flag, else `STRONGROOM_*`, else `VAULT_*`, else Vault's default. Empty values count as unset.
    public static func resolve(address: String? = nil, caCert: String? = nil, tlsSkipVerify: Bool = false,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> ClientConfiguration {
        func env(_ names: String...) -> String? {
            names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        }
        let skipText = env("STRONGROOM_SKIP_VERIFY", "VAULT_SKIP_VERIFY")
        let skipFromEnv = skipText.map { ["1", "t", "true", "yes"].contains($0.lowercased()) } ?? false
        var resolvedAddress = nonEmpty(address) ?? env("STRONGROOM_ADDR", "VAULT_ADDR") ?? defaultAddress
        while resolvedAddress.hasSuffix("/") { resolvedAddress.removeLast() }
        return ClientConfiguration(
            address: resolvedAddress,
            token: env("STRONGROOM_TOKEN", "VAULT_TOKEN"),
            caCert: nonEmpty(caCert) ?? env("STRONGROOM_CACERT", "VAULT_CACERT"),
            tlsSkipVerify: tlsSkipVerify || skipFromEnv)
    }

    /// `-format` flag, else `STRONGROOM_FORMAT`, else `VAULT_FORMAT`, else `table`.
    public static func format(_ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let chosen = nonEmpty(flag) ?? nonEmpty(environment["STRONGROOM_FORMAT"]) ?? nonEmpty(environment["VAULT_FORMAT"]) ?? "table"
        return chosen.lowercased()
    }

    private static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }
}
