import Foundation
import KMIP
import KMIPStore
import NIOConcurrencyHelpers

/// Where a client certificate's serial is listed — its scope, its expiry and the role it is listed
/// under — answered from one cache for both the TLS handshake check (``KMIPMount``) and the
/// per-request authorisation (`Authorizer`). An answer, "not listed" included, is reused for at
/// most ``ttl``: a change made here invalidates it at once, one made by another server sharing
/// the database takes effect within ``ttl``.
public final class CredentialDirectory: Sendable {
    public struct Listing: Sendable, Hashable {
        public let scopeID: String
        public let expiresAt: DateTime
        /// The role the credential is listed under; nil once that role is gone.
        public let role: RoleRecord?
    }

    /// How long an answer may be reused (seconds, on ``clock``).
    public static let ttl: TimeInterval = 1
    static let capacity = 100_000

    private let store: any MountStore
    let clock: @Sendable () -> Date
    private struct Cache {
        var entries: [String: (listing: Listing?, at: Date)] = [:]
        /// Roles by `<scope id>/<role id>`, for clients of imported CAs (no listing to read).
        var roles: [String: (role: RoleRecord?, at: Date)] = [:]
        /// Bumped by every invalidation: a lookup that began before one does not store its answer
        /// (it may predate a revocation).
        var invalidations: UInt64 = 0
    }
    private let cache = NIOLockedValueBox(Cache())

    public init(store: any MountStore, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.clock = clock
    }

    /// The serial's listing, or nil when no credential has that serial.
    public func listing(serial: String) async throws -> Listing? {
        let now = clock()
        let (hit, generation) = cache.withLockedValue { ($0.entries[serial], $0.invalidations) }
        if let hit, abs(now.timeIntervalSince(hit.at)) < Self.ttl { return hit.listing }
        var listing: Listing?
        if let record = try await store.credential(serialNumber: serial) {
            listing = Listing(scopeID: record.scopeID, expiresAt: record.expiresAt,
                              role: try await store.role(scopeID: record.scopeID, name: record.roleName))
        }
        cache.withLockedValue { c in
            guard c.invalidations == generation else { return }
            if c.entries.count >= Self.capacity {
                c.entries = c.entries.filter { abs(now.timeIntervalSince($0.value.at)) < Self.ttl }
                if c.entries.count >= Self.capacity { c.entries.removeAll() }
            }
            c.entries[serial] = (listing, now)
        }
        return listing
    }

    /// The role with id `roleID` in the scope `scopeID`, or nil: what a client of an imported CA
    /// speaks for, re-read at most every ``ttl``.
    public func role(scopeID: String, roleID: String) async throws -> RoleRecord? {
        let now = clock()
        let key = scopeID + "/" + roleID
        let (hit, generation) = cache.withLockedValue { ($0.roles[key], $0.invalidations) }
        if let hit, abs(now.timeIntervalSince(hit.at)) < Self.ttl { return hit.role }
        let role = try await store.role(scopeID: scopeID, id: roleID)
        cache.withLockedValue { c in
            guard c.invalidations == generation else { return }
            if c.roles.count >= Self.capacity { c.roles.removeAll() }
            c.roles[key] = (role, now)
        }
        return role
    }

    /// Whether `listing` is still in force now (not expired).
    func isCurrent(_ listing: Listing) -> Bool {
        listing.expiresAt.secondsSince1970 > Int64(clock().timeIntervalSince1970)
    }

    /// Forgets the answer for one serial (it was just listed or revoked here).
    func invalidate(serial: String) { cache.withLockedValue { $0.invalidations &+= 1; $0.entries[serial] = nil } }

    /// Forgets every answer (a role or scope changed here).
    public func invalidateAll() {
        cache.withLockedValue { $0.invalidations &+= 1; $0.entries.removeAll(); $0.roles.removeAll() }
    }
}
