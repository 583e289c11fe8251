import Foundation
import KMIPPKI
import KMIPStore
import X509

/// The client check of a named listener: its trust set is the listener's `ca`, its
/// `additional_client_cas` and, with `also_use_legacy_ca`, the legacy CA. A certificate of a CA the
/// mount runs (legacy or generated) must be listed under its role, as on the legacy listener; one of
/// an imported CA speaks for the scope and role its subject maps to, which must exist.
public final class ListenerAuthenticator: ClientAuthenticator, Sendable {
    public enum Trusted: Sendable {
        /// A CA the mount issues from.
        case issuing(KMIPCA)
        /// An operator's CA, by name, with its mapping.
        case imported(name: String, ImportedAuthority, SubjectMapping)
    }

    let mount: KMIPMount
    public let trusted: [Trusted]

    public init(mount: KMIPMount, trusted: [Trusted]) {
        self.mount = mount
        self.trusted = trusted
    }

    /// The trust set of `listener` as the config names it. Throws when a CA it names is gone.
    public static func forListener(_ listener: NamedListener, mount: KMIPMount, config: MountConfig) async throws -> ListenerAuthenticator {
        var trusted: [Trusted] = []
        for name in listener.clientCAs {
            guard let authority = config.authorities[name] else { throw MountError.notFound("CA \(name) not found") }
            switch authority.kind {
            case .generated: trusted.append(.issuing(try await mount.issuingCA(authority)))
            case .imported(let imported):
                do { trusted.append(.imported(name: name, try ImportedAuthority(pem: imported.certificatePEM), imported.mapping)) } catch let e as PKIError {
                    throw MountError.from(e)
                }
            }
        }
        if listener.alsoUseLegacyCA { trusted.append(.issuing(try await mount.ca())) }
        return ListenerAuthenticator(mount: mount, trusted: trusted)
    }

    /// PEM certificates to name to clients as acceptable issuers.
    public var acceptableIssuersPEM: [String] {
        trusted.flatMap { t -> [String] in
            switch t {
            case .issuing(let ca): [ca.rootPEM, ca.intermediatePEM]
            case .imported(_, let authority, _): authority.pems
            }
        }
    }

    public func authenticate(leafDER: [UInt8], chainDER: [[UInt8]]) async throws -> ClientIdentity {
        let intermediates = chainDER.filter { $0 != leafDER }
        let now = mount.clock()
        for authority in trusted {
            switch authority {
            case .issuing(let ca):
                // Another CA's certificate: try the next one. A failure of this CA's own (expired,
                // revoked) is final.
                guard Self.chains(leafDER, to: ca) else { continue }
                return try await mount.authenticate(leafDER: leafDER, chainDER: chainDER, issuedBy: ca)
            case .imported(let name, let imported, let mapping):
                guard let leaf = try? await imported.verify(leafDER: leafDER, intermediatesDER: intermediates, now: now) else { continue }
                return try await identity(of: leaf, authority: name, mapping: mapping)
            }
        }
        throw PKIError(.verificationFailed, "client certificate does not chain to a CA this listener trusts")
    }

    /// Whether `ca`'s intermediate signed the leaf (two CAs may share a subject name).
    static func chains(_ leafDER: [UInt8], to ca: KMIPCA) -> Bool {
        guard let leaf = try? Certificate(derEncoded: leafDER) else { return false }
        return leaf.issuer == ca.intermediate.subject && ca.intermediate.publicKey.isValidSignature(leaf.signature, for: leaf)
    }

    func identity(of leaf: Certificate, authority: String, mapping: SubjectMapping) async throws -> ClientIdentity {
        let names = try mapping.names(of: leaf)
        let store = mount.store
        guard let scope = try await store.scope(named: names.scope) else {
            throw PKIError(.revoked, "client certificate maps to scope \(names.scope), which does not exist")
        }
        guard let role = try await store.role(scopeID: scope.id, name: names.role) else {
            throw PKIError(.revoked, "client certificate maps to role \(names.role) of scope \(names.scope), which does not exist")
        }
        return ClientIdentity(scopeID: scope.id, roleID: role.id,
                              serialNumber: ImportedAuthority.serialNumber(of: leaf), authority: authority)
    }

    public func isValid(_ identity: ClientIdentity) async -> Bool {
        guard identity.authority != nil else { return await mount.isValid(identity) }
        return (try? await mount.directory.role(scopeID: identity.scopeID, roleID: identity.roleID)) != nil
    }
}
