import KMIPStore
import VaultFramework

/// `auth/token/lookup-accessor`: look up a token by accessor (no `id` in the answer).
enum TokenLookupAccessorPath {
    static let path = APIPath(
        "auth/token/lookup-accessor", scope: .system,
        fields: [FieldSchema("accessor", .string, "Accessor of the token to look up.")],
        help: "Look up a token by accessor.",
        operations: [.write: { ctx in
            guard let caller = ctx.caller else { throw APIError.permissionDenied }
            guard let accessor = ctx.fields.string("accessor"), !accessor.isEmpty else { throw APIError.invalid("missing accessor") }
            guard let target = try await ctx.services.system.token(accessor: accessor),
                  ctx.services.tokens.ttl(of: target) > 0 || target.expiresAt == nil else {
                throw APIError.invalid("invalid accessor")
            }
            guard try await TokenPaths.mayManage(target, caller: caller, store: ctx.services.system) else {
                throw APIError.permissionDenied
            }
            return .data(TokenPaths.lookupData(target, token: nil, auth: ctx.services.tokens))
        }])
}
