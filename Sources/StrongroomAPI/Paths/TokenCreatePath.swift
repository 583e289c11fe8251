import KMIP
import KMIPStore
import VaultFramework

/// `auth/token/create`: a child token of the caller.
enum TokenCreatePath {
    static let path = APIPath(
        "auth/token/create", scope: .system,
        fields: [
            FieldSchema("policies", .commaStringSlice, "Policies of the new token (default: the caller's; a subset unless the caller is root)."),
            FieldSchema("ttl", .durationSecond, "Lifetime (default 768h; none for root-policy tokens; capped by the caller's)."),
            FieldSchema("display_name", .string, default: "", "Name shown in lookups and audit logs."),
            FieldSchema("meta", .map, "Accepted and ignored."),
            FieldSchema("no_parent", .bool, "Create an orphan token (root or sudo callers only)."),
            FieldSchema("no_default_policy", .bool, "Leave the default policy out."),
            FieldSchema("renewable", .bool, "Accepted and ignored: tokens are not renewable."),
            FieldSchema("explicit_max_ttl", .durationSecond, "Accepted and ignored."),
            FieldSchema("period", .durationSecond, "Periodic tokens are not served; root or sudo callers only."),
            FieldSchema("num_uses", .int, "Accepted and ignored."),
            FieldSchema("type", .string, "Accepted and ignored: tokens are service tokens."),
            FieldSchema("entity_alias", .string, "Accepted and ignored."),
        ],
        help: "Create a token; its parent is the caller.",
        operations: [.write: create])

    @Sendable static func create(_ ctx: APIContext) async throws -> APIResponse {
        guard let caller = ctx.caller else { throw APIError.permissionDenied }
        let auth = ctx.services.tokens
        let sudo = ctx.callerHasSudo
        if ctx.fields.bool("no_parent"), !sudo { throw APIError.invalid("root or sudo privileges required to create orphan token") }
        if ctx.fields.duration("period") ?? 0 > 0, !sudo { throw APIError.invalid("root or sudo privileges required to create periodic token") }
        let policies = try policies(ctx, caller: caller, sudo: sudo)
        var warnings: [String] = []
        for name in policies where !(try await ctx.services.policies.exists(name)) {
            warnings.append("Policy \"\(name)\" does not exist")
        }
        var ttl = ctx.fields.duration("ttl") ?? (policies.contains(TokenAuth.rootPolicy) ? 0 : TokenPaths.defaultTTL)
        // Vault's system max TTL (768h) caps every TTL asked for; an unbounded one also overflowed
        // the expiry date (found by reading the fuzzers' date findings).
        if ttl > TokenPaths.defaultTTL {
            warnings.append("TTL of \"\(ttl)s\" exceeded the effective max_ttl of \"768h0m0s\"; TTL value is capped accordingly")
            ttl = TokenPaths.defaultTTL
        }
        if caller.expiresAt != nil {
            let left = auth.ttl(of: caller)
            ttl = ttl == 0 ? left : min(ttl, left)
        }
        let displayName = ctx.fields.string("display_name").flatMap { $0.isEmpty ? nil : "token-" + $0 } ?? "token"
        let issued = try await auth.issue(policies: policies, displayName: displayName, ttl: ttl == 0 ? nil : ttl,
                                          parent: ctx.fields.bool("no_parent") ? nil : caller)
        var response = APIResponse.auth(TokenPaths.authBlock(issued, ttl: ttl))
        response.warnings = warnings
        return response
    }

    /// Vault's rules (`resolveTokenPolicies`): no list inherits the caller's; a list must be a
    /// subset of the caller's (ignoring `default`) unless the caller has sudo; `default` comes
    /// with the caller's when it holds it, always for sudo callers, never with
    /// `no_default_policy`; only a root parent makes root tokens.
    static func policies(_ ctx: APIContext, caller: TokenRecord, sudo: Bool) throws -> [String] {
        let parent = Set(caller.policies)
        var chosen: Set<String>
        if let requested = ctx.fields.stringList("policies") {
            chosen = Set(requested.map(PolicyStore.normalize).filter { !$0.isEmpty })
            if chosen.contains(TokenAuth.rootPolicy), !caller.isRoot {
                throw APIError.invalid("root tokens may not be created without parent token being root")
            }
            if !sudo {
                if let extra = chosen.subtracting([PolicyStore.default]).subtracting(parent).sorted().first {
                    throw APIError.invalid("child policies must be subset of parent: \(extra) is not held by the caller")
                }
                chosen.remove(PolicyStore.default)
                if parent.contains(PolicyStore.default) { chosen.insert(PolicyStore.default) }
            } else {
                chosen.insert(PolicyStore.default)
            }
        } else {
            chosen = parent
        }
        if ctx.fields.bool("no_default_policy") { chosen.remove(PolicyStore.default) }
        if chosen.contains(TokenAuth.rootPolicy) { return [TokenAuth.rootPolicy] }
        return chosen.sorted()
    }
}
