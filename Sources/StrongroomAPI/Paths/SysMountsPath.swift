import KMIPStore
import VaultFramework

/// `sys/mounts`: the enabled mounts keyed by path (`kmip/`), at the top level and under `data`.
enum SysMountsPath {
    static let path = APIPath(
        "sys/mounts", scope: .system,
        help: "List the enabled secrets engines.",
        operations: [.read: { ctx in
            var out: [String: VaultValue] = [:]
            for engine in await ctx.services.mounts.all() { out[engine.entry.path] = .object(describe(engine.entry)) }
            return .data(out, topLevel: out)
        }])

    /// One mount as Vault's `sys/mounts` describes it.
    static func describe(_ entry: MountEntry) -> [String: VaultValue] {
        [
            "type": .string(entry.type),
            "description": .string(entry.description),
            "accessor": .string(entry.accessor),
            "uuid": .string(entry.id),
            "config": ["default_lease_ttl": 0, "max_lease_ttl": 0, "force_no_cache": false],
            "local": false,
            "seal_wrap": false,
            "external_entropy_access": false,
            "options": .null,
            "plugin_version": "",
            "running_plugin_version": "",
            "running_sha256": "",
        ]
    }
}
