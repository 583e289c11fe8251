import Foundation
import KMIP
import KMIPPKI
import KMIPStore

/// Decides who a verified certificate speaks for on each request: its serial must still be listed
/// for the role named by its `CN`, in the scope named by its `OU`, and that role must still exist.
/// The answers come from the mount's ``CredentialDirectory`` (shared with the handshake check), so
/// a revocation or role change made on any node takes effect within its TTL.
final class Authorizer: Sendable {
    let directory: CredentialDirectory

    init(directory: CredentialDirectory) { self.directory = directory }

    func role(for client: ClientIdentity) async -> Result<RoleRecord, KMIPError> {
        if client.authority != nil { return await mappedRole(for: client) }
        let listing: CredentialDirectory.Listing?
        do { listing = try await directory.listing(serial: client.serialNumber) } catch {
            return .failure(KMIPError(.generalFailure, "authorisation lookup failed"))
        }
        guard let listing, listing.scopeID == client.scopeID else {
            return .failure(KMIPError(.permissionDenied, "the client certificate has been revoked"))
        }
        guard directory.isCurrent(listing) else {
            return .failure(KMIPError(.permissionDenied, "the client certificate has expired"))
        }
        guard let role = listing.role, role.id == client.roleID else {
            return .failure(KMIPError(.permissionDenied, "the client certificate's role no longer exists"))
        }
        return .success(role)
    }

    /// A client of an imported CA: the scope and role its subject mapped to must still exist.
    private func mappedRole(for client: ClientIdentity) async -> Result<RoleRecord, KMIPError> {
        do {
            guard let role = try await directory.role(scopeID: client.scopeID, roleID: client.roleID) else {
                return .failure(KMIPError(.permissionDenied, "the client certificate's role no longer exists"))
            }
            return .success(role)
        } catch {
            return .failure(KMIPError(.generalFailure, "authorisation lookup failed"))
        }
    }

    /// Forgets every cached decision (after a local revocation or role change).
    func invalidate() { directory.invalidateAll() }
}
