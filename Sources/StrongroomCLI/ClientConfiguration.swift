import Foundation

/// Where the CLI talks to and as whom, resolved like Vault's client with Strongroom's variables first.
public struct ClientConfiguration: Sendable, Equatable {
    public static let defaultAddress = "http://127.0.0.1:8200"

    public var address: String
    /// Sent as `X-Vault-Token`; never printed.
    public var token: String?
    public var caCert: String?
    public var tlsSkipVerify: Bool
    /// The HTTP proxy to reach ``address`` through (`http://[user:password@]host:port`), or nil.
    public var proxy: String?

    public init(address: String = ClientConfiguration.defaultAddress, token: String? = nil,
                caCert: String? = nil, tlsSkipVerify: Bool = false, proxy: String? = nil) {
        self.address = address
        self.token = token
        self.caCert = caCert
        self.tlsSkipVerify = tlsSkipVerify
        self.proxy = proxy
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
            tlsSkipVerify: tlsSkipVerify || skipFromEnv,
            proxy: proxy(for: resolvedAddress, environment: environment))
    }

    /// Vault's client: `VAULT_PROXY_ADDR` (or the older `VAULT_HTTP_PROXY`) for every address, else
    /// Go's `ProxyFromEnvironment`: `HTTPS_PROXY` for https and `HTTP_PROXY` for http addresses (or
    /// their lower-case forms), except for hosts `NO_PROXY` lists (names match themselves and their
    /// subdomains, `*` matches all) and for localhost and loopback addresses.
    static func proxy(for address: String, environment: [String: String]) -> String? {
        func env(_ names: String...) -> String? { names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty } }
        if let vault = env("STRONGROOM_PROXY_ADDR", "VAULT_PROXY_ADDR", "VAULT_HTTP_PROXY") { return vault }
        guard let url = URL(string: address), let host = url.host?.lowercased() else { return nil }
        let https = url.scheme?.lowercased() == "https"
        guard let proxy = https ? env("HTTPS_PROXY", "https_proxy") : env("HTTP_PROXY", "http_proxy") else { return nil }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if bare == "localhost" || bare.hasPrefix("127.") || bare == "::1" { return nil }
        let exclusions = (env("NO_PROXY", "no_proxy") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        for entry in exclusions {
            if entry == "*" { return nil }
            let name = entry.split(separator: ":").first.map(String.init) ?? entry   // a port in the entry is ignored
            let domain = name.hasPrefix(".") ? String(name.dropFirst()) : name
            if bare == domain || bare.hasSuffix("." + domain) { return nil }
        }
        return proxy
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
