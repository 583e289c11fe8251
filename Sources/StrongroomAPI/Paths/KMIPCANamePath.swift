import KMIPEngine
import VaultFramework

/// `kmip/ca/:name` (Vault 2.0): read a named CA; update an imported CA's mapping; delete a CA no
/// listener or role uses (a generated CA's keys go with it).
enum KMIPCANamePath {
    static let path = APIPath(
        "ca/:name", scope: .mount(type: "kmip"), fields: KMIPCAPath.mappingFields,
        exists: { ctx in try await ctx.requireMount().mount.authority(ctx.parameter("name")) != nil },
        help: "Read, update (imported CAs: the scope and role mapping) or delete a named CA.",
        operations: [.read: read, .write: write, .delete: delete])

    @Sendable static func read(_ ctx: APIContext) async throws -> APIResponse {
        let mount = try ctx.requireMount().mount
        guard let authority = try await mount.authority(ctx.parameter("name")) else { return .notFound }
        return .data(try await KMIPCAPath.fields(of: authority, mount: mount))
    }

    @Sendable static func write(_ ctx: APIContext) async throws -> APIResponse {
        let engine = try ctx.requireMount()
        let name = ctx.parameter("name")
        let update = KMIPCAPath.mapping(ctx.fields.explicit)
        try await ctx.services.mounts.change(engine) { mount, check in
            try await mount.updateAuthority(name: name, mapping: update, check: check)
        }
        return try await read(ctx)
    }

    @Sendable static func delete(_ ctx: APIContext) async throws -> APIResponse {
        let engine = try ctx.requireMount()
        let name = ctx.parameter("name")
        try await ctx.services.mounts.change(engine) { mount, check in
            try await mount.deleteAuthority(name: name, check: check)
        }
        return .noContent
    }
}
