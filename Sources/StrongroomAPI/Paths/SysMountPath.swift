import VaultFramework
/// `sys/mounts/:path`: enable (POST `type`, `description`), read, disable (removes all its data).
enum SysMountPath {
    static let path = APIPath(
        "sys/mounts/*path", scope: .system,
        fields: [
            FieldSchema("type", .string, "The engine type; only kmip is served."),
            FieldSchema("description", .string, default: "", "Human-friendly description of the mount."),
            FieldSchema("config", .map, "Vault's mount tuning; accepted and ignored."),
            FieldSchema("options", .map, "Engine options; accepted and ignored."),
            FieldSchema("local", .bool, default: false, "Vault replication setting; accepted and ignored."),
            FieldSchema("seal_wrap", .bool, default: false, "Vault seal-wrap setting; accepted and ignored."),
            FieldSchema("external_entropy_access", .bool, default: false, "Accepted and ignored."),
            FieldSchema("plugin_name", .string, "Alias of type."),
            FieldSchema("plugin_version", .string, "Accepted and ignored."),
        ],
        help: "Enable, read or disable a secrets engine at a path.",
        operations: [
            .write: { ctx in
                guard let type = ctx.fields.string("type") ?? ctx.fields.string("plugin_name"), !type.isEmpty else {
                    throw APIError.invalid("type is required")
                }
                try await ctx.services.mounts.enable(path: ctx.parameter("path"), type: type,
                                                     description: ctx.fields.string("description") ?? "")
                return .noContent
            },
            .read: { ctx in
                guard let engine = await ctx.services.mounts.mount(at: ctx.parameter("path")) else { return .notFound }
                return .data(SysMountsPath.describe(engine.entry))
            },
            .delete: { ctx in
                try await ctx.services.mounts.disable(path: ctx.parameter("path"))
                return .noContent
            },
        ])
}
