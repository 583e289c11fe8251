/// `sys/mounts/:path`: enable (POST `type`, `description`), read, disable (removes all its data).
enum SysMountPath {
    static let path = APIPath(
        "sys/mounts/*path", scope: .system,
        fields: [
            APIField("type", .string, "The engine type; only kmip is served."),
            APIField("description", .string, default: "", "Human-friendly description of the mount."),
            APIField("config", .map, "Vault's mount tuning; accepted and ignored."),
            APIField("options", .map, "Engine options; accepted and ignored."),
            APIField("local", .bool, default: false, "Vault replication setting; accepted and ignored."),
            APIField("seal_wrap", .bool, default: false, "Vault seal-wrap setting; accepted and ignored."),
            APIField("external_entropy_access", .bool, default: false, "Accepted and ignored."),
            APIField("plugin_name", .string, "Alias of type."),
            APIField("plugin_version", .string, "Accepted and ignored."),
        ],
        help: "Enable, read or disable a secrets engine at a path.",
        operations: [
            .write: { ctx in
                guard let type = ctx.string("type") ?? ctx.string("plugin_name"), !type.isEmpty else {
                    throw APIError.invalid("type is required")
                }
                try await ctx.services.mounts.enable(path: ctx.parameter("path"), type: type,
                                                     description: ctx.string("description") ?? "")
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
