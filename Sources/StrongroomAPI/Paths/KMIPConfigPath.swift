import KMIPEngine

/// `kmip/config`: write (the first write generates the CA and starts the listeners) and read.
enum KMIPConfigPath {
    /// Every default is `MountConfig`'s: one place, read back by `kmip/config` and applied by the mount.
    static func fallback(_ name: String) -> APIValue {
        guard let value = MountConfig().fields[name] else { preconditionFailure("kmip/config has no field \(name)") }
        return APIValue(value)
    }

    static let fields: [APIField] = [
        APIField("listen_addrs", .commaStringSlice, default: fallback("listen_addrs"),
                 "Addresses (host:port) the KMIP listener binds; a list or a comma-separated string."),
        APIField("connection_timeout", .durationSecond, default: fallback("connection_timeout"),
                 "Seconds (or a duration string) within which a connection must finish its TLS handshake."),
        APIField("server_hostnames", .commaStringSlice, default: fallback("server_hostnames"),
                 "SAN DNS names of the listener certificate; the first is its CN."),
        APIField("server_ips", .commaStringSlice, default: fallback("server_ips"),
                 "SAN IPs of the listener certificate; 127.0.0.1 and ::1 are always included."),
        APIField("tls_ca_key_type", .string, default: fallback("tls_ca_key_type"), "CA key type: ec or rsa (fixed once the CA exists)."),
        APIField("tls_ca_key_bits", .int, default: fallback("tls_ca_key_bits"), "CA key size (fixed once the CA exists)."),
        APIField("tls_min_version", .string, default: fallback("tls_min_version"), "Minimum TLS version of the listener: tls12 or tls13."),
        APIField("default_tls_client_key_type", .string, default: fallback("default_tls_client_key_type"), "Client certificate key type: ec or rsa."),
        APIField("default_tls_client_key_bits", .int, default: fallback("default_tls_client_key_bits"), "Client certificate key size."),
        APIField("default_tls_client_ttl", .durationSecond, default: fallback("default_tls_client_ttl"),
                 "Client certificate lifetime in seconds or as a duration (336h)."),
    ]

    static let path = APIPath(
        "config", scope: .mount(type: "kmip"), fields: fields,
        help: "Configure the KMIP listener and the mount's CA.",
        operations: [.write: write, .read: read])

    @Sendable static func write(_ ctx: APIContext) async throws -> APIResponse {
        let engine = try ctx.requireMount()
        let update = try MountConfigUpdate(fields: ctx.explicitFieldValues())
        try await ctx.services.mounts.writeConfig(engine, update: update)
        return .noContent
    }

    @Sendable static func read(_ ctx: APIContext) async throws -> APIResponse {
        guard let config = try await ctx.requireMount().mount.config() else { return .notFound }
        return .data(readBack(config))
    }

    /// The stored fields, durations as ints (as Vault's API returns them), `server_ips` with the
    /// loopback addresses the listener certificate always carries.
    static func readBack(_ config: MountConfig) -> [String: APIValue] {
        var out = config.fields.mapValues(APIValue.init)
        var ips = config.serverIPs
        for loopback in ["127.0.0.1", "::1"] where !ips.contains(loopback) { ips.append(loopback) }
        out["server_ips"] = .list(ips.map(APIValue.string))
        return out
    }
}
