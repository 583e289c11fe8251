import VaultFramework
/// `kmip/scope/:scope`: create (no body) and delete (`force` needed while it holds objects).
enum KMIPScopePath {
    static let path = APIPath(
        "scope/:scope", scope: .mount(type: "kmip"),
        fields: [
            FieldSchema("force", .bool, default: false,
                     "Delete the scope even if it holds managed objects (they, its roles and credentials are destroyed)."),
        ],
        exists: { ctx in try await ctx.requireMount().mount.scope(ctx.parameter("scope")) != nil },
        help: "Create or delete a scope.",
        operations: [
            .write: { ctx in
                try await ctx.requireMount().mount.createScope(ctx.parameter("scope"))
                return .noContent
            },
            .delete: { ctx in
                try await ctx.requireMount().mount.deleteScope(ctx.parameter("scope"), force: ctx.fields.bool("force"))
                return .noContent
            },
        ])
}
