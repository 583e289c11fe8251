import KMIP
import KMIPStore

/// `auth/token/lookup-self`: the caller's token (the `vault` CLI checks its token with it).
enum TokenLookupSelfPath {
    static let path = APIPath(
        "auth/token/lookup-self", scope: .system,
        help: "Look up the calling token.",
        operations: [.read: { ctx in
            guard let caller = ctx.caller else { throw APIError.permissionDenied }
            return .data(TokenPaths.lookupData(caller, token: ctx.request.token, auth: ctx.services.tokens))
        }])
}
