import KMIPStore
import VaultFramework

/// `auth/token/lookup`: look up a token given in the body (hvac's `lookup_token`).
enum TokenLookupPath {
    static let path = APIPath(
        "auth/token/lookup", scope: .system,
        fields: [FieldSchema("token", .string, "The token to look up.")],
        help: "Look up a token.",
        operations: [.write: lookup, .read: lookup])

    @Sendable static func lookup(_ ctx: APIContext) async throws -> APIResponse {
        guard let caller = ctx.caller else { throw APIError.permissionDenied }
        guard let token = ctx.fields.string("token"), !token.isEmpty else { throw APIError.invalid("missing token") }
        // Vault answers an unknown token like a bad one.
        guard let target = try await ctx.services.tokens.authenticate(token) else { throw APIError.permissionDenied }
        guard try await TokenPaths.mayManage(target, caller: caller, store: ctx.services.system) else {
            throw APIError.permissionDenied
        }
        return .data(TokenPaths.lookupData(target, token: token, auth: ctx.services.tokens))
    }
}
