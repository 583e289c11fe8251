import Foundation
import KMIP
import KMIPPKI
import KMIPCrypto
import KMIPStore
import NIOConcurrencyHelpers

/// Decides who a verified certificate speaks for on each request: its serial must still be listed
/// for the role named by its `CN`, in the scope named by its `OU`, and that role must still exist.
/// Decisions are cached for at most `ttl`, so a revocation or role change made on any node takes
/// effect within that time even when no one invalidates the cache.
final class Authorizer: Sendable {
    private let mount: any MountStore
    private let ttl: TimeInterval
    private let cache = NIOLockedValueBox<[String: (role: RoleRecord, checkedAt: TimeInterval, expiresAt: DateTime)]>([:])
    private static let maxCachedIdentities = 10_000

    init(mount: any MountStore, ttl: TimeInterval = 1) {
        self.mount = mount
        self.ttl = ttl
    }

    func role(for client: ClientIdentity) async -> Result<RoleRecord, KMIPError> {
        let now = ProcessInfo.processInfo.systemUptime
        if let hit = cache.withLockedValue({ $0[client.serialNumber] }), now - hit.checkedAt < ttl,
           hit.role.scopeID == client.scopeID, hit.role.id == client.roleID,
           hit.expiresAt.secondsSince1970 > Int64(Date().timeIntervalSince1970) {
            return .success(hit.role)
        }
        do {
            guard let credential = try await mount.credential(serialNumber: client.serialNumber),
                  credential.scopeID == client.scopeID else {
                return .failure(KMIPError(.permissionDenied, "the client certificate has been revoked"))
            }
            guard credential.expiresAt.secondsSince1970 > Int64(Date().timeIntervalSince1970) else {
                return .failure(KMIPError(.permissionDenied, "the client certificate has expired"))
            }
            guard let role = try await mount.role(scopeID: client.scopeID, id: client.roleID),
                  role.name == credential.roleName else {
                return .failure(KMIPError(.permissionDenied, "the client certificate's role no longer exists"))
            }
            cache.withLockedValue {
                if $0.count >= Self.maxCachedIdentities { $0.removeAll(keepingCapacity: true) }
                $0[client.serialNumber] = (role, now, credential.expiresAt)
            }
            return .success(role)
        } catch {
            return .failure(KMIPError(.generalFailure, "authorisation lookup failed"))
        }
    }

    /// Forgets every cached decision (after a local revocation or role change).
    func invalidate() { cache.withLockedValue { $0.removeAll() } }
}
