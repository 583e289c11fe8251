import KMIP
import KMIPStore
import VaultFramework

/// Shared by the `auth/token/*` paths.
enum TokenPaths {
    /// Non-root tokens get this TTL when none is asked for (Vault's system default, 768h).
    static let defaultTTL = 768 * 3600

    /// Vault's `auth` block of a new token.
    static func authBlock(_ issued: IssuedToken, ttl: Int) -> [String: VaultValue] {
        let policies = VaultValue.list(issued.record.policies.map(VaultValue.string))
        return [
            "client_token": .string(issued.token),
            "accessor": .string(issued.record.accessor),
            "policies": policies,
            "token_policies": policies,
            "identity_policies": .null,
            "metadata": .null,
            "lease_duration": .int(ttl),
            "renewable": false,
            "entity_id": "",
            "token_type": "service",
            "orphan": .bool(issued.record.parentAccessor == nil),
            "mfa_requirement": .null,
            "num_uses": 0,
        ]
    }

    /// Vault's lookup data of a token (`id` only when the caller presented that token itself).
    static func lookupData(_ record: TokenRecord, token: String?, auth: TokenAuth) -> [String: VaultValue] {
        let ttl = auth.ttl(of: record)
        let created = record.createdAt.secondsSince1970
        return [
            "accessor": .string(record.accessor),
            "creation_time": .int(Int(created)),
            "creation_ttl": .int(record.expiresAt.map { Int($0.secondsSince1970 - created) } ?? 0),
            "display_name": .string(record.displayName),
            "entity_id": "",
            "expire_time": record.expiresAt.map { .string($0.description) } ?? .null,
            "explicit_max_ttl": 0,
            "id": token.map(VaultValue.string) ?? .null,
            "issue_time": .string(record.createdAt.description),
            "meta": .null,
            "num_uses": 0,
            "orphan": .bool(record.parentAccessor == nil),
            "path": .string(record.parentAccessor == nil && record.isRoot ? "auth/token/root" : "auth/token/create"),
            "policies": .list(record.policies.map(VaultValue.string)),
            "renewable": false,
            "ttl": .int(ttl),
            "type": "service",
        ]
    }

    /// A non-root caller may act only on itself and the tokens it created (transitively).
    static func mayManage(_ target: TokenRecord, caller: TokenRecord, store: any SystemStore) async throws -> Bool {
        if caller.isRoot || target.accessor == caller.accessor { return true }
        var parent = target.parentAccessor
        var hops = 0
        while let accessor = parent, hops < 64 {
            if accessor == caller.accessor { return true }
            parent = try await store.token(accessor: accessor)?.parentAccessor
            hops += 1
        }
        return false
    }
}
