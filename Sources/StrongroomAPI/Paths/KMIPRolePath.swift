import KMIPEngine

/// `kmip/scope/:scope/role/:role`: create-or-replace, read, delete. The `operation_*` flags replace
/// the whole set on every write; `operation_all` / `operation_none` exclude the others.
enum KMIPRolePath {
    static let fields: [APIField] =
        [
            APIField(RoleOperationFlags.all, .bool, "Allow every KMIP operation (excludes every other operation_ flag)."),
            APIField(RoleOperationFlags.none, .bool, "Allow no operation (excludes every other operation_ flag)."),
        ]
        + RoleOperationFlags.flags.map { APIField($0.flag, .bool, "Allow the KMIP \($0.operation) operation.") }
        + [
            APIField("tls_client_key_type", .string, "Client key type override: ec or rsa (unset: the config default)."),
            APIField("tls_client_key_bits", .int, "Client key size override (unset: the config default)."),
            APIField("tls_client_ttl", .durationSecond, "Client certificate lifetime override (unset: the config default)."),
        ]

    static let path = APIPath(
        "scope/:scope/role/:role", scope: .mount(type: "kmip"), fields: fields,
        exists: { ctx in
            (try? await ctx.requireMount().mount.role(scope: ctx.parameter("scope"), name: ctx.parameter("role"))) != nil
        },
        help: "Manage a role: the KMIP operations its client certificates allow.",
        operations: [.write: write, .read: read, .delete: delete])

    @Sendable static func write(_ ctx: APIContext) async throws -> APIResponse {
        let definition = try RoleDefinition(fields: ctx.explicitFieldValues())
        try await ctx.requireMount().mount.putRole(scope: ctx.parameter("scope"), name: ctx.parameter("role"), definition)
        return .noContent
    }

    @Sendable static func read(_ ctx: APIContext) async throws -> APIResponse {
        guard let role = try await ctx.requireMount().mount.role(scope: ctx.parameter("scope"), name: ctx.parameter("role")) else {
            return .notFound
        }
        return .data(role.fields.mapValues(APIValue.init))
    }

    @Sendable static func delete(_ ctx: APIContext) async throws -> APIResponse {
        try await ctx.requireMount().mount.deleteRole(scope: ctx.parameter("scope"), name: ctx.parameter("role"))
        return .noContent
    }
}
