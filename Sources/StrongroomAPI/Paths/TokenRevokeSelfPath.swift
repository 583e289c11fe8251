import KMIP
import KMIPStore

/// `auth/token/revoke-self`: revoke the caller's token (`vault token revoke -self`).
enum TokenRevokeSelfPath {
    static let path = APIPath(
        "auth/token/revoke-self", scope: .system,
        help: "Revoke the calling token and its children.",
        operations: [.write: { ctx in
            guard let caller = ctx.caller else { throw APIError.permissionDenied }
            try await TokenRevokeAccessorPath.delete(caller.accessor, store: ctx.services.system)
            return .noContent
        }])
}
