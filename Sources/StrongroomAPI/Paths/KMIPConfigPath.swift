import KMIPEngine
import VaultFramework

/// `kmip/config`: write (the first write generates the CA and starts the listeners) and read.
enum KMIPConfigPath {
    /// Every default is `MountConfig`'s: one place, read back by `kmip/config` and applied by the mount.
    static func fallback(_ name: String) -> VaultValue {
        guard let value = fields(of: MountConfig())[name] else { preconditionFailure("kmip/config has no field \(name)") }
        return value
    }

    static let fields: [FieldSchema] = [
        FieldSchema("listen_addrs", .commaStringSlice, default: fallback("listen_addrs"),
                 "Addresses (host:port) the KMIP listener binds; a list or a comma-separated string."),
        FieldSchema("https_listen_addrs", .commaStringSlice, default: fallback("https_listen_addrs"),
                 "Addresses (host:port) where KMIP is also served over HTTPS (POST /kmip; TTLV, JSON or XML bodies); default none."),
        FieldSchema("connection_timeout", .durationSecond, default: fallback("connection_timeout"),
                 "Seconds (or a duration string) within which a connection must finish its TLS handshake."),
        FieldSchema("server_hostnames", .commaStringSlice, default: fallback("server_hostnames"),
                 "SAN DNS names of the listener certificate; the first is its CN."),
        FieldSchema("server_ips", .commaStringSlice, default: fallback("server_ips"),
                 "SAN IPs of the listener certificate; 127.0.0.1 and ::1 are always included."),
        FieldSchema("tls_ca_key_type", .string, default: fallback("tls_ca_key_type"), "CA key type: ec or rsa (fixed once the CA exists)."),
        FieldSchema("tls_ca_key_bits", .int, default: fallback("tls_ca_key_bits"), "CA key size (fixed once the CA exists)."),
        FieldSchema("tls_min_version", .string, default: fallback("tls_min_version"), "Minimum TLS version of the listener: tls12 or tls13."),
        FieldSchema("default_tls_client_key_type", .string, default: fallback("default_tls_client_key_type"), "Client certificate key type: ec or rsa."),
        FieldSchema("default_tls_client_key_bits", .int, default: fallback("default_tls_client_key_bits"), "Client certificate key size."),
        FieldSchema("default_tls_client_ttl", .durationSecond, default: fallback("default_tls_client_ttl"),
                 "Client certificate lifetime in seconds or as a duration (336h)."),
        FieldSchema("explicit_attribute_index", .bool, default: fallback("explicit_attribute_index"),
                 "Send Attribute Index 0 on the first instance of multi-valued attributes (PyKMIP's test suite expects it)."),
        FieldSchema("wrapped_key_value", .string, default: fallback("wrapped_key_value"),
                 "Shape of a key wrapped with No Encoding: byte_string (default) or structure (PyKMIP decodes only structure)."),
        FieldSchema("omit_from_all_attributes", .commaStringSlice, default: fallback("omit_from_all_attributes"),
                 "Attributes a Get Attributes naming none leaves out (default Random Number Generator: PyKMIP 0.11 cannot decode it)."),
    ]

    static let path = APIPath(
        "config", scope: .mount(type: "kmip"), fields: fields,
        help: "Configure the KMIP listener and the mount's CA.",
        operations: [.write: write, .read: read])

    @Sendable static func write(_ ctx: APIContext) async throws -> APIResponse {
        let engine = try ctx.requireMount()
        try await ctx.services.mounts.writeConfig(engine, update: update(ctx.fields.explicit))
        return .noContent
    }

    @Sendable static func read(_ ctx: APIContext) async throws -> APIResponse {
        guard let config = try await ctx.requireMount().mount.config() else { return .notFound }
        return .data(readBack(config))
    }

    /// The fields the request gave, typed for the mount (which checks their values).
    static func update(_ given: FieldData) -> MountConfigUpdate {
        MountConfigUpdate(
            listenAddrs: given.stringList("listen_addrs"), connectionTimeout: given.duration("connection_timeout"),
            serverHostnames: given.stringList("server_hostnames"), serverIPs: given.stringList("server_ips"),
            tlsCAKeyType: given.string("tls_ca_key_type"), tlsCAKeyBits: given.int("tls_ca_key_bits"),
            tlsMinVersion: given.string("tls_min_version"),
            defaultTLSClientKeyType: given.string("default_tls_client_key_type"),
            defaultTLSClientKeyBits: given.int("default_tls_client_key_bits"),
            defaultTLSClientTTL: given.duration("default_tls_client_ttl"),
            explicitAttributeIndex: given.get("explicit_attribute_index")?.boolValue,
            wrappedKeyValue: given.string("wrapped_key_value"),
            omitFromAllAttributes: given.stringList("omit_from_all_attributes"),
            httpsListenAddrs: given.stringList("https_listen_addrs"))
    }

    /// The config as Vault's API fields, durations in seconds.
    static func fields(of config: MountConfig) -> [String: VaultValue] {
        [
            "listen_addrs": .list(config.listenAddrs.map(VaultValue.string)),
            "https_listen_addrs": .list(config.httpsListenAddrs.map(VaultValue.string)),
            "connection_timeout": .int(config.connectionTimeout),
            "server_hostnames": .list(config.serverHostnames.map(VaultValue.string)),
            "server_ips": .list(config.serverIPs.map(VaultValue.string)),
            "tls_ca_key_type": .string(config.tlsCAKeyType.rawValue),
            "tls_ca_key_bits": .int(config.tlsCAKeyBits),
            "tls_min_version": .string(config.tlsMinVersion.rawValue),
            "default_tls_client_key_type": .string(config.defaultTLSClientKeyType.rawValue),
            "default_tls_client_key_bits": .int(config.defaultTLSClientKeyBits),
            "default_tls_client_ttl": .int(config.defaultTLSClientTTL),
            "explicit_attribute_index": .bool(config.compatibility.explicitAttributeIndex),
            "wrapped_key_value": .string(config.compatibility.wrappedKeyValue.rawValue),
            "omit_from_all_attributes": .list(config.compatibility.omittedFromAllAttributes.map(VaultValue.string)),
        ]
    }

    /// The read-back: ``fields(of:)`` with `server_ips` holding the loopback addresses the listener
    /// certificate always carries.
    static func readBack(_ config: MountConfig) -> [String: VaultValue] {
        var out = fields(of: config)
        var ips = config.serverIPs
        for loopback in ["127.0.0.1", "::1"] where !ips.contains(loopback) { ips.append(loopback) }
        out["server_ips"] = .list(ips.map(VaultValue.string))
        return out
    }
}
