import KMIPEngine
import VaultFramework

/// `kmip/listener/:name` (Vault 2.0): create or replace (what is left out takes its default),
/// read, delete. Each listener starts, restarts on change and stops on delete without touching the
/// others; its port may not be another listener's.
enum KMIPListenerPath {
    static let fields: [FieldSchema] = [
        FieldSchema("ca", .string, "The generated CA that signs the server certificate; also trusted for clients (required)."),
        FieldSchema("address", .string, "host:port to bind (required)."),
        FieldSchema("server_hostnames", .commaStringSlice, "DNS names of the server certificate; the first is its CN."),
        FieldSchema("server_ips", .commaStringSlice, "IP addresses of the server certificate (default 127.0.0.1, ::1)."),
        FieldSchema("additional_client_cas", .commaStringSlice, "Further named CAs trusted for client certificates."),
        FieldSchema("also_use_legacy_ca", .bool, "Also trust the legacy CA of kmip/config for client certificates."),
        FieldSchema("tls_min_version", .string, "tls12 (default) or tls13."),
        FieldSchema("tls_max_version", .string, "tls12 or tls13 (default: none)."),
        FieldSchema("tls_cipher_suites", .commaStringSlice, "TLS 1.2 suites by IANA name (forward-secret AEAD suites only)."),
        FieldSchema("https_address", .string, "host:port where the listener also serves KMIP over HTTPS (default: none)."),
    ]

    static let path = APIPath(
        "listener/:name", scope: .mount(type: "kmip"), fields: fields,
        exists: { ctx in try await ctx.requireMount().mount.listener(ctx.parameter("name")) != nil },
        help: "Manage a named KMIP listener.",
        operations: [.write: write, .read: read, .delete: delete])

    @Sendable static func write(_ ctx: APIContext) async throws -> APIResponse {
        let engine = try ctx.requireMount()
        let name = ctx.parameter("name")
        let g = ctx.fields.explicit
        let definition = NamedListenerDefinition(
            ca: g.string("ca"), address: g.string("address"), serverHostnames: g.stringList("server_hostnames"),
            serverIPs: g.stringList("server_ips"), additionalClientCAs: g.stringList("additional_client_cas"),
            alsoUseLegacyCA: g.get("also_use_legacy_ca")?.boolValue, tlsMinVersion: g.string("tls_min_version"),
            tlsMaxVersion: g.string("tls_max_version"), tlsCipherSuites: g.stringList("tls_cipher_suites"),
            httpsAddress: g.string("https_address"))
        try await ctx.services.mounts.change(engine) { mount, check in
            try await mount.putListener(name: name, definition, check: check)
        }
        return try await read(ctx)
    }

    @Sendable static func read(_ ctx: APIContext) async throws -> APIResponse {
        guard let listener = try await ctx.requireMount().mount.listener(ctx.parameter("name")) else { return .notFound }
        return .data(fields(of: listener))
    }

    /// The nine fields Vault reads back, `""` for an unset maximum version and suite list; and
    /// `https_address` (Strongroom's), `""` when unset.
    static func fields(of l: NamedListener) -> [String: VaultValue] {
        [
            "ca": .string(l.ca),
            "address": .string(l.address),
            "server_hostnames": .list(l.serverHostnames.map(VaultValue.string)),
            "server_ips": .list(l.serverIPs.map(VaultValue.string)),
            "additional_client_cas": .list(l.additionalClientCAs.map(VaultValue.string)),
            "also_use_legacy_ca": .bool(l.alsoUseLegacyCA),
            "tls_min_version": .string(l.tlsMinVersion.rawValue),
            "tls_max_version": .string(l.tlsMaxVersion?.rawValue ?? ""),
            "tls_cipher_suites": .string(l.tlsCipherSuites.joined(separator: ",")),
            "https_address": .string(l.httpsAddress ?? ""),
        ]
    }

    @Sendable static func delete(_ ctx: APIContext) async throws -> APIResponse {
        let engine = try ctx.requireMount()
        let name = ctx.parameter("name")
        try await ctx.services.mounts.change(engine) { mount, check in
            try await mount.deleteListener(name: name, check: check)
        }
        return .noContent
    }
}
