import Foundation
import KMIPStore
import NIOConcurrencyHelpers
import VaultPolicy

/// ACL policies over ``SystemStore``: Vault's built-in `root` and `default`, name rules, and the
/// compiled ``ACL`` of a token. Parsed policies are cached by their exact text, so a cached entry
/// can never be stale: a changed text is parsed again.
public struct PolicyStore: Sendable {
    public let store: any SystemStore
    private let cache = NIOLockedValueBox<[String: (text: String, policy: ACLPolicy)]>([:])

    public static let root = "root"
    public static let `default` = "default"

    public init(store: any SystemStore) { self.store = store }

    /// Vault's recent `default` policy, reduced to the paths this server serves: a token may look
    /// itself up, revoke itself and ask its own capabilities.
    public static let defaultPolicyText = """
        # Allow tokens to look up their own properties
        path "auth/token/lookup-self" {
          capabilities = ["read"]
        }

        # Allow tokens to renew themselves
        path "auth/token/renew-self" {
          capabilities = ["update"]
        }

        # Allow tokens to revoke themselves
        path "auth/token/revoke-self" {
          capabilities = ["update"]
        }

        # Allow a token to look up its own capabilities on a path
        path "sys/capabilities-self" {
          capabilities = ["update"]
        }

        # Allow a token to look up its resultant ACL from all policies
        path "sys/internal/ui/resultant-acl" {
          capabilities = ["read"]
        }

        # Allow a token to hash data (Vault's default; not served here)
        path "sys/tools/hash" {
          capabilities = ["update"]
        }
        path "sys/tools/hash/*" {
          capabilities = ["update"]
        }

        """

    /// Trimmed and lower-cased, as Vault stores names.
    public static func normalize(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// Creates `default` when absent (first start, or a database from before policies). Never
    /// overwrites it, even when several servers start together: an operator's edits stay.
    public func bootstrap() async throws {
        _ = try await store.createPolicy(PolicyRecord(name: Self.default, text: Self.defaultPolicyText))
    }

    /// Stored names, sorted, with `root` last (Vault's list).
    public func names() async throws -> [String] {
        try await store.policies().map(\.name).filter { $0 != Self.root } + [Self.root]
    }

    /// The text of `name`; `""` for `root`; nil when absent.
    public func text(_ name: String) async throws -> String? {
        if name == Self.root { return "" }
        return try await store.policy(name: name)?.text
    }

    /// Parses, then stores. Throws 400 with Vault's messages.
    public func write(_ name: String, text: String) async throws {
        guard name != Self.root else { throw APIError.invalid("cannot update \"root\" policy") }
        guard !name.isEmpty else { throw APIError.invalid("policy name must be provided") }
        let policy: ACLPolicy
        do { policy = try ACLPolicy.parse(name: name, text: text) } catch { throw APIError.invalid(error.message) }
        try await store.putPolicy(PolicyRecord(name: name, text: text))
        cache.withLockedValue { $0[name] = (text, policy) }
    }

    /// Idempotent, as in Vault; `root` and `default` cannot be deleted.
    public func delete(_ name: String) async throws {
        if name == Self.root { throw APIError.invalid("cannot delete \"root\" policy") }
        if name == Self.default { throw APIError.invalid("cannot delete default policy") }
        do { try await store.deletePolicy(name: name) } catch let e as StoreError where e.reason == .itemNotFound {}
        _ = cache.withLockedValue { $0.removeValue(forKey: name) }
    }

    /// Whether a policy of that name exists (`root` always does).
    public func exists(_ name: String) async throws -> Bool {
        name == Self.root ? true : try await store.policy(name: name) != nil
    }

    /// The ACL of a token's policies. A policy deleted since the token was made counts as empty.
    /// A stored text that no longer parses fails the request (500): dropping it would also drop
    /// its `deny` rules, which fails open.
    public func acl(for policies: [String]) async throws -> ACL {
        if policies.contains(Self.root) { return try ACL(policies: [ACLPolicy(name: Self.root, rules: [])]) }
        var compiled: [ACLPolicy] = []
        for name in Set(policies).sorted() {
            guard let record = try await store.policy(name: name) else { continue }
            if let hit = cache.withLockedValue({ $0[name] }), hit.text == record.text {
                compiled.append(hit.policy)
                continue
            }
            let policy: ACLPolicy
            do { policy = try ACLPolicy.parse(name: name, text: record.text) } catch {
                throw APIError.internal("stored policy \(name) no longer parses: \(error.message)")
            }
            cache.withLockedValue { $0[name] = (record.text, policy) }
            compiled.append(policy)
        }
        return try ACL(policies: compiled)
    }
}
