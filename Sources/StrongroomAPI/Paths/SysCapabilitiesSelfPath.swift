import VaultPolicy
import VaultFramework

/// `sys/capabilities-self` (the caller's token) and `sys/capabilities` (`token` given): the
/// capabilities the token's policies grant on each of `paths`. Who may call: tokens granted
/// `update` on the path (`default` grants it for `-self`).
enum SysCapabilitiesSelfPath {
    static let fields = [
        FieldSchema("paths", .commaStringSlice, "Paths to check."),
        FieldSchema("path", .commaStringSlice, "Deprecated alias of paths."),
    ]

    static let path = APIPath(
        "sys/capabilities-self", scope: .system, fields: fields,
        help: "The capabilities of the caller's token on paths.",
        operations: [.write: { ctx in
            guard let acl = ctx.acl else { throw APIError.permissionDenied }
            return try answer(ctx, acl: acl)
        }])

    static let other = APIPath(
        "sys/capabilities", scope: .system, fields: fields + [FieldSchema("token", .string, "The token to check.")],
        help: "The capabilities of a token on paths.",
        operations: [.write: { ctx in
            guard let record = try await ctx.services.tokens.authenticate(ctx.fields.string("token")) else {
                throw APIError.invalid("invalid token")
            }
            return try answer(ctx, acl: try await ctx.services.policies.acl(for: record.policies))
        }])

    static func answer(_ ctx: APIContext, acl: ACL) throws -> APIResponse {
        let paths = (ctx.fields.stringList("paths") ?? []) + (ctx.fields.stringList("path") ?? [])
        guard !paths.isEmpty else { throw APIError.invalid("paths must be supplied") }
        var data: [String: VaultValue] = [:]
        for path in paths {
            let normalized = path.hasPrefix("/") ? String(path.dropFirst()) : path
            data[path] = .list(acl.capabilities(path: normalized).map(VaultValue.string))
        }
        if paths.count == 1 { data["capabilities"] = data[paths[0]] }
        return .data(data, topLevel: data)
    }
}
