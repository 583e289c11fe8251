import KMIP
import KMIPStore
import VaultFramework

/// `auth/token/revoke`: revoke a token (body `token`) and every token it created.
enum TokenRevokePath {
    static let path = APIPath(
        "auth/token/revoke", scope: .system,
        fields: [FieldSchema("token", .string, "The token to revoke.")],
        help: "Revoke a token and its children.",
        operations: [.write: { ctx in
            guard let caller = ctx.caller else { throw APIError.permissionDenied }
            guard let token = ctx.fields.string("token"), !token.isEmpty else { throw APIError.invalid("missing token") }
            // An unknown token is already revoked: Vault answers 204 too.
            guard let target = try await ctx.services.tokens.record(of: token) else { return .noContent }
            guard try await TokenPaths.mayManage(target, caller: caller, store: ctx.services.system) else {
                throw APIError.permissionDenied
            }
            try await TokenRevokeAccessorPath.delete(target.accessor, store: ctx.services.system)
            return .noContent
        }])
}
