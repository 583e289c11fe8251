import KMIP
import KMIPStore

/// `auth/token/create`: a child token of the caller.
enum TokenCreatePath {
    static let path = APIPath(
        "auth/token/create", scope: .system,
        fields: [
            APIField("policies", .commaStringSlice, "Policies of the new token (default: the caller's; a subset unless the caller is root)."),
            APIField("ttl", .durationSecond, "Lifetime (default 768h; none for root-policy tokens; capped by the caller's)."),
            APIField("display_name", .string, default: "", "Name shown in lookups and audit logs."),
            APIField("meta", .map, "Accepted and ignored."),
            APIField("no_parent", .bool, "Accepted and ignored: every token has its creator as parent."),
            APIField("no_default_policy", .bool, "Accepted and ignored."),
            APIField("renewable", .bool, "Accepted and ignored: tokens are not renewable."),
            APIField("explicit_max_ttl", .durationSecond, "Accepted and ignored."),
            APIField("period", .durationSecond, "Accepted and ignored."),
            APIField("num_uses", .int, "Accepted and ignored."),
            APIField("type", .string, "Accepted and ignored: tokens are service tokens."),
            APIField("entity_alias", .string, "Accepted and ignored."),
        ],
        help: "Create a token; its parent is the caller.",
        operations: [.write: create])

    @Sendable static func create(_ ctx: APIContext) async throws -> APIResponse {
        guard let caller = ctx.caller else { throw APIError.permissionDenied }
        let auth = ctx.services.tokens
        let requested = ctx.stringList("policies").map { Array(Set($0)).sorted() }
        let policies = requested ?? caller.policies
        if !caller.isRoot, let extra = policies.first(where: { !caller.policies.contains($0) }) {
            throw APIError.invalid("child policies must be subset of parent: \(extra) is not held by the caller")
        }
        var ttl = ctx.duration("ttl") ?? (policies.contains(TokenAuth.rootPolicy) ? 0 : TokenPaths.defaultTTL)
        if caller.expiresAt != nil {
            let left = auth.ttl(of: caller)
            ttl = ttl == 0 ? left : min(ttl, left)
        }
        let displayName = ctx.string("display_name").flatMap { $0.isEmpty ? nil : "token-" + $0 } ?? "token"
        let issued = try await auth.issue(policies: policies, displayName: displayName, ttl: ttl == 0 ? nil : ttl, parent: caller)
        return .auth(TokenPaths.authBlock(issued, ttl: ttl))
    }
}
