import Foundation
import KMIP
import KMIPCrypto
import KMIPPKI
import KMIPStore
import NIOConcurrencyHelpers

/// The KMIP mount's domain model over a ``MountStore``: config and CA, the listener certificate,
/// scopes, roles and client credentials; and the ``ClientAuthenticator`` the listener asks.
///
/// Everything that must be shared between nodes lives in the store; this object only caches the
/// CA (it never changes once generated), the listener certificate (until the hostnames or IPs
/// change) and, in its ``CredentialDirectory`` for at most ``CredentialDirectory/ttl``, which scope
/// and role a certificate serial is listed for. Local revocations and deletions clear that cache at once.
public final class KMIPMount: ClientAuthenticator, Sendable {
    public let store: any MountStore
    let clock: @Sendable () -> Date
    private let cache = NIOLockedValueBox(Cache())
    private let observers = NIOLockedValueBox<[@Sendable () -> Void]>([])
    /// Config writes of every mount in this process go through one lock: two first writes here
    /// generate one CA, not two. Across processes sharing a database, the store's atomic
    /// ``MountStore/createCAMaterial(_:)`` decides which CA stays, and the config is
    /// changed inside the store's transaction (``MountStore/updateConfig(_:)``).
    private static let writeLock = MountWriteLock()
    private var writeLock: MountWriteLock { Self.writeLock }

    /// Where client serials are listed: one cache for the handshake and the engine's authorisation.
    public let directory: CredentialDirectory
    /// Named generated CAs by material id (their material never changes).
    let authorityCache = NIOLockedValueBox<[String: KMIPCA]>([:])

    struct Binding: Sendable, Hashable {
        var scopeID: String
        var roleID: String
    }

    struct ServerKey: Hashable {
        var hostnames: [String]
        var ips: [String]
    }

    struct Cache {
        var ca: KMIPCA?
        var server: (key: ServerKey, credential: ServerCredential)?
    }

    /// `now` is the clock for certificate issue and verification (tests move it).
    public init(store: any MountStore, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.clock = now
        self.directory = CredentialDirectory(store: store, clock: now)
    }

    // MARK: - Config and CA

    /// The written config, or nil if `kmip/config` was never written.
    /// A record in an older stored format reads as well; the next config write stores the current
    /// format (reads never write: a read-only token or a start-up does not convert the record).
    public func config() async throws -> MountConfig? {
        try await store.config().map(MountConfig.init(stored:))
    }

    /// The written config, or the defaults if it was never written.
    public func effectiveConfig() async throws -> MountConfig { try await config() ?? MountConfig() }

    /// Applies `update` to the config (the defaults on first write) and stores it. The first write
    /// generates the CA with `tls_ca_key_type` / `tls_ca_key_bits` (its private keys sealed by the
    /// store's keyring); later writes keep it and refuse to change those two fields.
    /// `check` sees the config about to be stored, inside the transaction, and may refuse it.
    @discardableResult
    public func configure(_ update: MountConfigUpdate,
                          check: @escaping @Sendable (MountConfig) throws -> Void = { _ in }) async throws -> MountConfig {
        try await writeLock.withLock {
            // Validated against the config as read, before any CA is generated for it.
            let tentative = try (try await self.config() ?? MountConfig()).applying(update)
            let ca: KMIPCA
            if let existing = try await self.loadCA() { ca = existing } else { ca = try await self.createCA(tentative) }
            let caSpec = ca.keySpec
            // Applied again inside the store's transaction, to the config as it is then: another
            // node's concurrent write is kept, not overwritten.
            let stored = try await self.store.updateConfig { record in
                let next = try (try record.map(MountConfig.init(stored:)) ?? MountConfig()).applying(update)
                if let spec = caSpec, spec.type != next.tlsCAKeyType || spec.bits != next.tlsCAKeyBits {
                    throw MountError.invalid(
                        "tls_ca_key_type/tls_ca_key_bits cannot change once the CA exists (it is \(spec.type.rawValue) \(spec.bits))")
                }
                try check(next)
                return next.record
            }
            return try MountConfig(stored: stored)
        }
    }

    /// Generates a CA with the config's key type and stores it unless another writer stored one
    /// first; either way, the CA the store keeps becomes this mount's.
    private func createCA(_ config: MountConfig) async throws -> KMIPCA {
        let ca: KMIPCA
        do { ca = try KMIPCA.generate(keySpec: try config.caKeySpec(), now: clock()) } catch let e as PKIError {
            throw MountError.from(e)
        }
        var rootKey = try ca.exportRootKeyPKCS8()
        var intermediateKey = try ca.exportIntermediateKeyPKCS8()
        defer {
            for i in rootKey.indices { rootKey[i] = 0 }
            for i in intermediateKey.indices { intermediateKey[i] = 0 }
        }
        let generated = [try ca.rootCertificateDER(), try ca.intermediateCertificateDER()]
        let kept = try await store.createCAMaterial(CAMaterial(
            certificatesDER: generated, privateKeys: [StoredSecret(rootKey), StoredSecret(intermediateKey)]))
        guard kept.certificatesDER == generated else { return try await loadCA()! }
        cache.withLockedValue { $0.ca = ca; $0.server = nil }
        return ca
    }

    /// The mount's CA (loaded once from the store, then cached). ``MountError/Kind/notConfigured``
    /// before the first config write.
    public func ca() async throws -> KMIPCA {
        guard let ca = try await loadCA() else { throw MountError.notConfigured }
        return ca
    }

    func loadCA() async throws -> KMIPCA? {
        if let ca = cache.withLockedValue({ $0.ca }) { return ca }
        guard let material = try await store.caMaterial() else { return nil }
        guard material.certificatesDER.count == 2, material.privateKeys.count == 2 else {
            throw MountError(.conflict, "the stored CA has \(material.certificatesDER.count) certificates; expected root and intermediate")
        }
        let ca = try KMIPCA(rootCertificateDER: material.certificatesDER[0], rootKeyPKCS8: material.privateKeys[0].bytes,
                            intermediateCertificateDER: material.certificatesDER[1],
                            intermediateKeyPKCS8: material.privateKeys[1].bytes)
        return cache.withLockedValue { c in
            if c.ca == nil { c.ca = ca }
            return c.ca!
        }
    }

    /// The CA chain as Vault's `ca_pem`: intermediate then root.
    public func caChainPEM() async throws -> String { try await ca().caChainPEM }

    /// The listener certificate for the config's `server_hostnames` / `server_ips` (plus 127.0.0.1
    /// and ::1) and `node` (this node's own bind host, an IP address or a name), issued by the
    /// intermediate with the CA's key type; cached until those change.
    public func serverCredential(node: String? = nil) async throws -> ServerCredential {
        guard let config = try await config() else { throw MountError.notConfigured }
        let ca = try await ca()
        var key = ServerKey(hostnames: config.serverHostnames, ips: config.serverIPs)
        if let node {
            let isIP = IPAddressBytes.parse(node) != nil
            if isIP, !key.ips.contains(node) { key.ips.append(node) }
            if !isIP, !key.hostnames.contains(node) { key.hostnames.append(node) }
        }
        if let cached = cache.withLockedValue({ $0.server }), cached.key == key { return cached.credential }
        let credential: ServerCredential
        do { credential = try ca.issueServerCertificate(hostnames: key.hostnames, ips: key.ips, now: clock()) } catch let e as PKIError {
            throw MountError.from(e)
        }
        cache.withLockedValue { $0.server = (key, credential) }
        return credential
    }

    // MARK: - Scopes

    /// Creates a scope with a fresh 5-character id. ``MountError/Kind/alreadyExists`` if the name is taken.
    @discardableResult
    public func createScope(_ name: String) async throws -> ScopeRecord {
        try Self.validateName(name, what: "scope")
        if try await store.scope(named: name) != nil { throw MountError(.alreadyExists, "scope \(name) already exists") }
        for _ in 0..<8 {
            let scope = ScopeRecord(name: name)
            if try await store.scope(id: scope.id) != nil { continue }   // id collision: draw again
            do {
                try await store.insertScope(scope)
                return scope
            } catch let e as StoreError where e.reason == .illegalOperation {
                if try await store.scope(named: name) != nil { throw MountError(.alreadyExists, "scope \(name) already exists") }
            }
        }
        throw MountError(.conflict, "could not draw a unique scope id")
    }

    public func scopes() async throws -> [ScopeRecord] { try await store.scopes() }

    public func scope(_ name: String) async throws -> ScopeRecord? { try await store.scope(named: name) }

    /// Deletes a scope. Without `force` it fails (``MountError/Kind/conflict``) while the scope holds
    /// objects; with `force` its objects, roles and credentials go too.
    public func deleteScope(_ name: String, force: Bool = false) async throws {
        let scope = try await store.scope(named: name)
        do { try await store.deleteScope(named: name, force: force) } catch let e as StoreError {
            throw Self.mapped(e)
        }
        if let scope { await forgetAuthorities(withPrefix: scope.id + "/") }
        clearBindings()
    }

    func requireScope(_ name: String) async throws -> ScopeRecord {
        guard let scope = try await store.scope(named: name) else { throw MountError.notFound("scope \(name) not found") }
        return scope
    }

    // MARK: - Roles

    /// Creates the role or replaces it whole (it keeps its id). The key type/bits override is checked
    /// against the current config's defaults.
    @discardableResult
    public func putRole(scope scopeName: String, name: String, _ definition: RoleDefinition) async throws -> RoleRecord {
        try Self.validateName(name, what: "role")
        try definition.validate()
        let scope = try await requireScope(scopeName)
        let existing = try await store.role(scopeID: scope.id, name: name)
        var role = RoleRecord(
            scopeID: scope.id, name: name, id: existing?.id ?? Identifiers.shortID(),
            allowsAllOperations: definition.operationAll,
            operations: definition.operationAll || definition.operationNone ? [] : definition.operations,
            tlsClientKeyType: try definition.tlsClientKeyType.map { try MountConfig.keyType($0, field: "tls_client_key_type").rawValue },
            tlsClientKeyBits: definition.tlsClientKeyBits.flatMap { $0 > 0 ? $0 : nil },
            tlsClientTTL: definition.tlsClientTTL.flatMap { $0 > 0 ? $0 : nil })
        let current = try await config()
        _ = try (current ?? MountConfig()).clientKeySpec(for: role)
        let authority = definition.ca.flatMap { $0.isEmpty ? nil : $0 }
        if let authority {
            guard let config = current else { throw MountError.notConfigured }
            guard let named = config.authorities[authority] else { throw MountError.invalid("ca: CA \(authority) not found") }
            guard !named.isImported else {
                throw MountError.invalid("ca: CA \(authority) is imported; a role's ca must be generated (it signs the role's certificates)")
            }
        }
        for attempt in 0..<8 {
            do {
                try await store.putRole(role)
                // An update narrows or widens what connected clients may do: at once, not after the cache expires.
                if existing != nil { clearBindings() }
                let stored = try await store.role(scopeID: scope.id, name: name) ?? role
                do { try await setAuthority(authority, of: stored, current: current) } catch {
                    // The CA went away meanwhile: the role is not left half-written.
                    if let existing { try? await store.putRole(existing) } else { try? await store.deleteRole(scopeID: scope.id, name: name) }
                    throw error
                }
                return stored
            } catch let e as StoreError where e.reason == .illegalOperation && existing == nil && attempt < 7 {
                role.id = Identifiers.shortID()   // role id collision: draw again
            } catch let e as StoreError {
                throw Self.mapped(e)
            }
        }
        throw MountError(.conflict, "could not draw a unique role id")
    }

    public func role(scope scopeName: String, name: String) async throws -> RoleRecord? {
        guard let scope = try await store.scope(named: scopeName) else { return nil }
        return try await store.role(scopeID: scope.id, name: name)
    }

    /// The scope's roles by name. ``MountError/Kind/notFound`` if the scope does not exist.
    public func roles(scope scopeName: String) async throws -> [RoleRecord] {
        let scope = try await requireScope(scopeName)
        return try await store.roles(scopeID: scope.id)
    }

    /// Deletes the role and its credentials (they stop authenticating at once on this node).
    public func deleteRole(scope scopeName: String, name: String) async throws {
        let scope = try await requireScope(scopeName)
        let role = try await store.role(scopeID: scope.id, name: name)
        do { try await store.deleteRole(scopeID: scope.id, name: name) } catch let e as StoreError { throw Self.mapped(e) }
        if let role { await forgetAuthorities(withPrefix: Self.roleKey(role)) }
        clearBindings()
    }

    func requireRole(scope scopeName: String, name: String) async throws -> (ScopeRecord, RoleRecord) {
        let scope = try await requireScope(scopeName)
        guard let role = try await store.role(scopeID: scope.id, name: name) else {
            throw MountError.notFound("role \(name) not found in scope \(scopeName)")
        }
        return (scope, role)
    }

    // MARK: - Credentials

    /// Issues a client certificate `OU=<scope id>, CN=<role id>` with a fresh key (type, bits and TTL
    /// from the role, else the config defaults) and lists its serial under the role. The private key
    /// is in the result only; it is never stored.
    public func generateCredential(scope scopeName: String, role roleName: String) async throws -> ClientCredential {
        let (scope, role) = try await requireRole(scope: scopeName, name: roleName)
        guard let config = try await config() else { throw MountError.notConfigured }
        let ca = try await issuer(for: role, config: config)
        let credential: ClientCredential
        do {
            credential = try ca.issueClientCredential(
                scopeID: scope.id, roleID: role.id, keySpec: try config.clientKeySpec(for: role),
                ttl: TimeInterval(config.clientTTL(for: role)), now: clock())
        } catch let e as PKIError {
            throw MountError.from(e)
        }
        try await record(credential, scope: scope, role: role)
        return credential
    }

    /// Signs a CSR for the role (its key must match the role's key type and bits; its subject is
    /// replaced by `OU=<scope id>, CN=<role id>`) and lists the serial under the role.
    public func signCSR(scope scopeName: String, role roleName: String, csrPEM: String) async throws -> ClientCredential {
        let (scope, role) = try await requireRole(scope: scopeName, name: roleName)
        guard let config = try await config() else { throw MountError.notConfigured }
        let ca = try await issuer(for: role, config: config)
        let credential: ClientCredential
        do {
            credential = try ca.signCSR(
                pem: csrPEM, scopeID: scope.id, roleID: role.id, requiredKeySpec: try config.clientKeySpec(for: role),
                ttl: TimeInterval(config.clientTTL(for: role)), now: clock())
        } catch let e as PKIError {
            throw MountError.from(e)
        }
        try await record(credential, scope: scope, role: role)
        return credential
    }

    private func record(_ credential: ClientCredential, scope: ScopeRecord, role: RoleRecord) async throws {
        guard let der = MountPEM.derBlocks(credential.certificatePEM).first else {
            throw MountError(.conflict, "issued certificate has no PEM body")
        }
        let expires = credential.certificate.notValidAfter.timeIntervalSince1970
        do {
            try await store.addCredential(CredentialRecord(
                serialNumber: credential.serialNumber, scopeID: scope.id, roleName: role.name, certificateDER: der,
                expiresAt: DateTime(secondsSince1970: Int64(expires.rounded(.down)))))
        } catch let e as StoreError {
            throw Self.mapped(e)   // the role was deleted meanwhile: the certificate is never listed
        }
        directory.invalidate(serial: credential.serialNumber)
    }

    /// The serials listed under the role, with their certificates.
    public func credentials(scope scopeName: String, role roleName: String) async throws -> [CredentialRecord] {
        let (scope, role) = try await requireRole(scope: scopeName, name: roleName)
        return try await store.credentials(scopeID: scope.id, roleName: role.name)
    }

    /// One listed credential of the role (`credential/lookup`). ``MountError/Kind/notFound`` otherwise.
    public func credential(scope scopeName: String, role roleName: String, serialNumber: String) async throws -> CredentialRecord {
        let (scope, role) = try await requireRole(scope: scopeName, name: roleName)
        guard let record = try await store.credential(serialNumber: serialNumber),
              record.scopeID == scope.id, record.roleName == role.name else {
            throw MountError.notFound("credential \(serialNumber) not found for role \(roleName) in scope \(scopeName)")
        }
        return record
    }

    /// Revokes (unlists) a credential: it fails every later handshake and open connections using it
    /// turn invalid. With `scope` and `role`, the serial must be listed under that role.
    public func revokeCredential(serialNumber: String, scope scopeName: String? = nil, role roleName: String? = nil) async throws {
        if let scopeName, let roleName {
            _ = try await credential(scope: scopeName, role: roleName, serialNumber: serialNumber)
        } else if try await store.credential(serialNumber: serialNumber) == nil {
            throw MountError.notFound("credential \(serialNumber) not found")
        }
        do { try await store.deleteCredential(serialNumber: serialNumber) } catch let e as StoreError { throw Self.mapped(e) }
        directory.invalidate(serial: serialNumber)
        notifyAuthorizationChange()
    }

    /// Revokes the credential whose certificate is `certificatePEM` (Vault's `certificate` field).
    public func revokeCredential(certificatePEM: String, scope scopeName: String, role roleName: String) async throws {
        guard let der = MountPEM.derBlocks(certificatePEM).first else {
            throw MountError.invalid("certificate is not a PEM certificate")
        }
        let listed = try await credentials(scope: scopeName, role: roleName)
        guard let match = listed.first(where: { $0.certificateDER == der }) else {
            throw MountError.notFound("certificate is not listed for role \(roleName) in scope \(scopeName)")
        }
        try await revokeCredential(serialNumber: match.serialNumber, scope: scopeName, role: roleName)
    }

    // MARK: - ClientAuthenticator

    /// Chain to the mount's CA, validity dates, client-auth policy, then: the serial is listed, for
    /// the scope (OU) and role (CN) the certificate names, and that role still exists.
    public func authenticate(leafDER: [UInt8], chainDER: [[UInt8]]) async throws -> ClientIdentity {
        guard let ca = try await loadCA() else {
            throw PKIError(.notConfigured, "the KMIP engine has not been configured; no client can authenticate")
        }
        return try await authenticate(leafDER: leafDER, chainDER: chainDER, issuedBy: ca)
    }

    /// The same checks for a certificate issued by `ca` (the legacy CA or a generated named one).
    func authenticate(leafDER: [UInt8], chainDER: [[UInt8]], issuedBy ca: KMIPCA) async throws -> ClientIdentity {
        let intermediates = chainDER.filter { $0 != leafDER }
        let identity = try await ca.verifyClient(
            leafDER: leafDER, intermediatesDER: intermediates, now: clock(),
            isRevoked: { serial in
                // Not listed, role gone, or the store cannot answer: refuse.
                let listed = try? await self.binding(serial: serial)
                return listed == nil
            })
        guard try await binding(serial: identity.serialNumber) == Binding(scopeID: identity.scopeID, roleID: identity.roleID) else {
            throw PKIError(.revoked, "client certificate \(identity.serialNumber) is not listed for the scope and role it names")
        }
        return identity
    }

    /// True while the serial is listed for the identity's scope and role and that role exists.
    public func isValid(_ identity: ClientIdentity) async -> Bool {
        guard let binding = try? await binding(serial: identity.serialNumber) else { return false }
        return binding == Binding(scopeID: identity.scopeID, roleID: identity.roleID)
    }

    /// Where the serial is listed: its scope id and its role's id; nil if not listed, expired, or the role is gone.
    func binding(serial: String) async throws -> Binding? {
        guard let listing = try await directory.listing(serial: serial), directory.isCurrent(listing),
              let role = listing.role else { return nil }
        return Binding(scopeID: listing.scopeID, roleID: role.id)
    }

    func clearBindings() {
        directory.invalidateAll()
        notifyAuthorizationChange()
    }

    /// Registers `observer` to run after every local revocation and role or scope change (the
    /// server composition points it at `KMIPEngine.invalidateAuthorizations`).
    public func onAuthorizationChange(_ observer: @escaping @Sendable () -> Void) {
        observers.withLockedValue { $0.append(observer) }
    }

    func notifyAuthorizationChange() {
        for observer in observers.withLockedValue({ $0 }) { observer() }
    }

    // MARK: - Helpers

    /// Vault's name rule for scopes and roles: word characters, with `-` and `.` inside.
    static func validateName(_ name: String, what: String) throws {
        let word: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        guard let first = name.first, let last = name.last, word(first), word(last),
              name.allSatisfy({ word($0) || $0 == "-" || $0 == "." }), name.utf8.count <= 128 else {
            throw MountError.invalid("invalid \(what) name \"\(name)\": use letters, digits, _ and (inside) - or .")
        }
    }

    static func mapped(_ error: StoreError) -> any Error {
        switch error.reason {
        case .itemNotFound: return MountError.notFound(error.message)
        case .illegalOperation: return MountError(.conflict, error.message)
        default: return error
        }
    }
}
