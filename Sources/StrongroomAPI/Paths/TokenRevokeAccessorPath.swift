import KMIP
import KMIPStore
import VaultFramework

/// `auth/token/revoke-accessor`: revoke by accessor.
enum TokenRevokeAccessorPath {
    static let path = APIPath(
        "auth/token/revoke-accessor", scope: .system,
        fields: [FieldSchema("accessor", .string, "Accessor of the token to revoke.")],
        help: "Revoke a token by accessor, with its children.",
        operations: [.write: { ctx in
            guard let caller = ctx.caller else { throw APIError.permissionDenied }
            guard let accessor = ctx.fields.string("accessor"), !accessor.isEmpty else { throw APIError.invalid("missing accessor") }
            guard let target = try await ctx.services.system.token(accessor: accessor) else {
                throw APIError.invalid("invalid accessor")
            }
            guard try await TokenPaths.mayManage(target, caller: caller, store: ctx.services.system) else {
                throw APIError.permissionDenied
            }
            try await delete(accessor, store: ctx.services.system)
            return .noContent
        }])

    static func delete(_ accessor: String, store: any SystemStore) async throws {
        do { try await store.deleteToken(accessor: accessor) } catch let e as StoreError where e.reason == .itemNotFound {}
    }
}
