import KMIPEngine
import KMIPStore
import VaultFramework

/// `kmip/scope/:scope/role/:role`: create-or-replace, read, delete. The `operation_*` flags replace
/// the whole set on every write; `operation_all` / `operation_none` exclude the others.
enum KMIPRolePath {
    static let fields: [FieldSchema] =
        [
            FieldSchema(RoleOperationFlags.all, .bool, "Allow every KMIP operation (excludes every other operation_ flag)."),
            FieldSchema(RoleOperationFlags.none, .bool, "Allow no operation (excludes every other operation_ flag)."),
        ]
        + RoleOperationFlags.flags.map { FieldSchema($0.flag, .bool, "Allow the KMIP \($0.operation) operation.") }
        + RoleOperationFlags.aliases.sorted { $0.key < $1.key }.map { FieldSchema($0.key, .bool, "The same as \($0.value).") }
        + [
            FieldSchema("ca", .string, "The generated named CA that signs this role's certificates (empty: the legacy CA)."),
            FieldSchema("tls_client_key_type", .string, "Client key type override: ec or rsa (unset: the config default)."),
            FieldSchema("tls_client_key_bits", .int, "Client key size override (unset: the config default)."),
            FieldSchema("tls_client_ttl", .durationSecond, "Client certificate lifetime override (unset: the config default)."),
        ]

    static let path = APIPath(
        "scope/:scope/role/:role", scope: .mount(type: "kmip"), fields: fields,
        exists: { ctx in
            (try? await ctx.requireMount().mount.role(scope: ctx.parameter("scope"), name: ctx.parameter("role"))) != nil
        },
        help: "Manage a role: the KMIP operations its client certificates allow.",
        operations: [.write: write, .read: read, .delete: delete])

    @Sendable static func write(_ ctx: APIContext) async throws -> APIResponse {
        try await ctx.requireMount().mount.putRole(scope: ctx.parameter("scope"), name: ctx.parameter("role"),
                                                   definition(ctx.fields.explicit))
        return .noContent
    }

    @Sendable static func read(_ ctx: APIContext) async throws -> APIResponse {
        let mount = try ctx.requireMount().mount
        guard let role = try await mount.role(scope: ctx.parameter("scope"), name: ctx.parameter("role")) else {
            return .notFound
        }
        var out = fields(of: role)
        if let ca = try await mount.authorityName(of: role) { out["ca"] = .string(ca) }
        return .data(out)
    }

    /// The fields the request gave, typed for the mount. A flag given as false is as if absent:
    /// exclusivity concerns a true pseudo-op beside another true flag.
    static func definition(_ given: FieldData) -> RoleDefinition {
        RoleDefinition(
            operationAll: given.bool(RoleOperationFlags.all), operationNone: given.bool(RoleOperationFlags.none),
            operations: Set(RoleOperationFlags.flags.filter { given.bool($0.flag) }.map(\.operation))
                .union(RoleOperationFlags.aliases.keys.filter { given.bool($0) }.compactMap(RoleOperationFlags.operation(forFlag:))),
            tlsClientKeyType: given.string("tls_client_key_type").flatMap { $0.isEmpty ? nil : $0 },
            tlsClientKeyBits: given.int("tls_client_key_bits"), tlsClientTTL: given.duration("tls_client_ttl"),
            ca: given.string("ca"))
    }

    /// The role as Vault reads it back: each set operation flag (or `operation_all` /
    /// `operation_none`) and the overrides (`tls_client_key_bits` 0, `tls_client_key_type` null,
    /// `tls_client_ttl` 0 when unset).
    static func fields(of role: RoleRecord) -> [String: VaultValue] {
        var out: [String: VaultValue] = [
            "tls_client_key_type": role.tlsClientKeyType.map(VaultValue.string) ?? .null,
            "tls_client_key_bits": .int(role.tlsClientKeyBits ?? 0),
            "tls_client_ttl": .int(role.tlsClientTTL ?? 0),
        ]
        if role.allowsAllOperations {
            out[RoleOperationFlags.all] = .bool(true)
        } else if role.operations.isEmpty {
            out[RoleOperationFlags.none] = .bool(true)
        } else {
            for (flag, op) in RoleOperationFlags.flags where role.operations.contains(op) { out[flag] = .bool(true) }
        }
        return out
    }

    @Sendable static func delete(_ ctx: APIContext) async throws -> APIResponse {
        try await ctx.requireMount().mount.deleteRole(scope: ctx.parameter("scope"), name: ctx.parameter("role"))
        return .noContent
    }
}
