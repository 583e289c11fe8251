import Crypto
import Foundation
import KMIP
import KMIPStore

/// A token just issued: the plaintext is shown to the caller once and never stored.
public struct IssuedToken: Sendable, CustomStringConvertible {
    /// Secret.
    public var token: String
    public var record: TokenRecord
    public var description: String { "IssuedToken(accessor: \(record.accessor))" }
}

/// API tokens over ``SystemStore``: only SHA-256 hashes are stored; lookups hash the presented token
/// and compare hashes in constant time.
public struct TokenAuth: Sendable {
    public let store: any SystemStore
    let clock: @Sendable () -> Date

    public static let rootPolicy = "root"

    public init(store: any SystemStore, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.clock = now
    }

    /// Creates the root token when the store holds no token at all (first start), atomically: of
    /// several servers starting together on one database, one creates it. Returns its plaintext
    /// only then; nil when tokens exist already.
    public func bootstrapRootToken() async throws -> String? {
        let root = make(policies: [Self.rootPolicy], displayName: "root", ttl: nil, parent: nil)
        return try await store.insertFirstToken(root.record) ? root.token : nil
    }

    /// A new token: `hvs.` + 24 base62 characters (143 bits), accessor 24 base62 characters.
    public func issue(policies: [String], displayName: String, ttl: Int?, parent: TokenRecord?) async throws -> IssuedToken {
        let issued = make(policies: policies, displayName: displayName, ttl: ttl, parent: parent)
        try await store.insertToken(issued.record)
        return issued
    }

    private func make(policies: [String], displayName: String, ttl: Int?, parent: TokenRecord?) -> IssuedToken {
        let token = "hvs." + Identifiers.base62(count: 24)
        let now = clock()
        let created = DateTime(secondsSince1970: Int64(now.timeIntervalSince1970))
        let record = TokenRecord(
            accessor: Identifiers.base62(count: 24), tokenHash: Self.hash(token), policies: policies,
            displayName: displayName, createdAt: created,
            expiresAt: ttl.flatMap { $0 > 0 ? DateTime(secondsSince1970: created.secondsSince1970 + Int64($0)) : nil },
            parentAccessor: parent?.accessor)
        return IssuedToken(token: token, record: record)
    }

    /// The live record of `token`, or nil (unknown, or expired).
    public func authenticate(_ token: String?) async throws -> TokenRecord? {
        guard let token, !token.isEmpty, token.utf8.count <= 256 else { return nil }
        let hash = Self.hash(token)
        guard let record = try await store.token(hash: hash), Self.constantTimeEqual(record.tokenHash, hash) else { return nil }
        if let expires = record.expiresAt, expires.secondsSince1970 <= Int64(clock().timeIntervalSince1970) { return nil }
        return record
    }

    /// The record of `token` whether or not it has expired (revoke).
    public func record(of token: String) async throws -> TokenRecord? {
        let hash = Self.hash(token)
        guard let record = try await store.token(hash: hash), Self.constantTimeEqual(record.tokenHash, hash) else { return nil }
        return record
    }

    /// Seconds left, 0 for a token that never expires.
    public func ttl(of record: TokenRecord) -> Int {
        guard let expires = record.expiresAt else { return 0 }
        return max(0, Int(expires.secondsSince1970 - Int64(clock().timeIntervalSince1970)))
    }

    public static func hash(_ token: String) -> [UInt8] { Array(SHA256.hash(data: Data(token.utf8))) }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}

extension TokenRecord {
    public var isRoot: Bool { policies.contains(TokenAuth.rootPolicy) }
}
