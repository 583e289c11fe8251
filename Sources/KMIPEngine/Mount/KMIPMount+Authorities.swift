import Foundation
import KMIPPKI
import KMIPStore
import NIOConcurrencyHelpers

/// Vault 2.0's named CAs and named listeners. Their definitions live in the mount's config record,
/// so each change — and every check that a CA is not in use — is one store transaction, whichever
/// node makes it; a generated CA's keys live sealed in the store under a fresh material id.
/// Every call here needs `kmip/config` to have been written (``MountError/Kind/notConfigured``).
extension KMIPMount {
    /// Vault's default `ttl` of a generated CA: 365 days.
    public static let defaultAuthorityTTL = 365 * 24 * 3600

    // MARK: Reading

    /// The named CAs, by name (none before the first config write).
    public func authorities() async throws -> [NamedAuthority] {
        (try await config()?.authorities.values).map { $0.sorted { $0.name < $1.name } } ?? []
    }

    public func authority(_ name: String) async throws -> NamedAuthority? { try await config()?.authorities[name] }

    /// The signing CA of a generated authority (loaded once per material id, then cached).
    public func issuingCA(_ authority: NamedAuthority) async throws -> KMIPCA {
        guard case .generated(let generated) = authority.kind else {
            throw MountError.invalid("CA \(authority.name) is imported: it verifies client certificates and issues none")
        }
        if let ca = authorityCache.withLockedValue({ $0[generated.materialID] }) { return ca }
        guard let material = try await store.authorityMaterial(id: generated.materialID),
              material.certificatesDER.count == 2, material.privateKeys.count == 2 else {
            throw MountError(.conflict, "the key material of CA \(authority.name) is missing from the store")
        }
        let ca = try KMIPCA(rootCertificateDER: material.certificatesDER[0], rootKeyPKCS8: material.privateKeys[0].bytes,
                            intermediateCertificateDER: material.certificatesDER[1],
                            intermediateKeyPKCS8: material.privateKeys[1].bytes)
        authorityCache.withLockedValue { $0[generated.materialID] = ca }
        return ca
    }

    /// The certificates a read shows, PEM: the issuing certificate first, then up to the root; and
    /// the first one's serial number (decimal, as credentials' serials).
    public func authorityCertificates(_ authority: NamedAuthority) async throws -> (pems: [String], serialNumber: String) {
        switch authority.kind {
        case .generated:
            let ca = try await issuingCA(authority)
            return ([ca.intermediatePEM, ca.rootPEM], SerialNumbers.decimal(ca.intermediate.serialNumber))
        case .imported(let imported):
            let bundle = try ImportedAuthority(pem: imported.certificatePEM)
            return (bundle.pems, bundle.firstSerialNumber)
        }
    }

    // MARK: Named CAs

    /// Generates a CA (root and intermediate, `key_type`/`key_bits`, lifetime `ttl` seconds) named
    /// `name`. ``MountError/Kind/alreadyExists`` if the name is taken. Returns the stored config, as
    /// every change here does (the registry restarts listeners from it).
    @discardableResult
    public func generateAuthority(name: String, keyType: String?, keyBits: Int?, ttl: Int?,
                                  check: @escaping @Sendable (MountConfig) throws -> Void = { _ in }) async throws -> MountConfig {
        try Self.validateName(name, what: "CA")
        guard let keyType, !keyType.isEmpty else { throw MountError.invalid("key_type is required: ec or rsa") }
        guard let keyBits, keyBits != 0 else { throw MountError.invalid("key_bits is required") }
        let type = try MountConfig.keyType(keyType, field: "key_type")
        let spec: KeySpec
        do { spec = try KeySpec(type: type, bits: keyBits) } catch let e as PKIError { throw MountError.from(e) }
        let lifetime = ttl ?? Self.defaultAuthorityTTL
        guard lifetime > 0 else { throw MountError.invalid("ttl must be positive") }
        guard let current = try await config() else { throw MountError.notConfigured }
        if current.authorities[name] != nil { throw MountError(.alreadyExists, "CA \(name) already exists") }

        let ca: KMIPCA
        do { ca = try KMIPCA.generate(keySpec: spec, now: clock(), commonName: name, validity: TimeInterval(lifetime)) } catch let e as PKIError {
            throw MountError.from(e)
        }
        let materialID = Identifiers.base62(count: 16)
        var rootKey = try ca.exportRootKeyPKCS8()
        var intermediateKey = try ca.exportIntermediateKeyPKCS8()
        defer {
            for i in rootKey.indices { rootKey[i] = 0 }
            for i in intermediateKey.indices { intermediateKey[i] = 0 }
        }
        try await store.addAuthorityMaterial(CAMaterial(
            certificatesDER: [try ca.rootCertificateDER(), try ca.intermediateCertificateDER()],
            privateKeys: [StoredSecret(rootKey), StoredSecret(intermediateKey)]), id: materialID)
        let authority = NamedAuthority(name: name, kind: .generated(.init(
            keyType: type, keyBits: keyBits, ttl: lifetime, materialID: materialID)))
        let stored: MountConfig
        do {
            stored = try await modifyConfig(check: check) { config in
                guard config.authorities[name] == nil else { throw MountError(.alreadyExists, "CA \(name) already exists") }
                config.authorities[name] = authority
            }
        } catch {
            try? await store.deleteAuthorityMaterial(id: materialID)   // another writer took the name
            throw error
        }
        authorityCache.withLockedValue { $0[materialID] = ca }
        return stored
    }

    /// Imports an operator's CA bundle named `name`, with its subject mapping.
    @discardableResult
    public func importAuthority(name: String, pem: String?, mapping update: SubjectMappingUpdate,
                                check: @escaping @Sendable (MountConfig) throws -> Void = { _ in }) async throws -> MountConfig {
        try Self.validateName(name, what: "CA")
        guard let pem, !pem.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw MountError.invalid("ca_pem is required")
        }
        let imported: ImportedAuthority
        do { imported = try ImportedAuthority(pem: pem) } catch let e as PKIError { throw MountError.from(e) }
        let mapping = try update.applied(to: SubjectMapping())
        let authority = NamedAuthority(name: name, kind: .imported(.init(certificatePEM: imported.pem, mapping: mapping)))
        return try await modifyConfig(check: check) { config in
            guard config.authorities[name] == nil else { throw MountError(.alreadyExists, "CA \(name) already exists") }
            config.authorities[name] = authority
        }
    }

    /// Changes an imported CA's mapping (the only thing of a CA that changes; Vault refuses the rest).
    @discardableResult
    public func updateAuthority(name: String, mapping update: SubjectMappingUpdate,
                                check: @escaping @Sendable (MountConfig) throws -> Void = { _ in }) async throws -> MountConfig {
        try await modifyConfig(check: check) { config in
            guard let authority = config.authorities[name] else { throw MountError.notFound("CA \(name) not found") }
            guard case .imported(var imported) = authority.kind else {
                throw MountError.invalid("CA \(name) is generated: it cannot be updated (delete it and generate another)")
            }
            imported.mapping = try update.applied(to: imported.mapping)
            config.authorities[name] = NamedAuthority(name: name, kind: .imported(imported))
        }
    }

    /// Deletes a named CA, refused while a listener or a role names it. A generated CA's keys go too.
    @discardableResult
    public func deleteAuthority(name: String, check: @escaping @Sendable (MountConfig) throws -> Void = { _ in }) async throws -> MountConfig {
        guard let current = try await config() else { throw MountError.notConfigured }
        // Role entries whose role is gone do not hold the CA (found now; removed in the transaction).
        var stale: Set<String> = []
        for (key, ca) in current.roleAuthorities where ca == name {
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { stale.insert(key); continue }
            if try await store.role(scopeID: parts[0], id: parts[1]) == nil { stale.insert(key) }
        }
        let staleKeys = stale
        let removed = NIOLockedValueBox<NamedAuthority?>(nil)
        let stored = try await modifyConfig(check: check) { config in
            guard let authority = config.authorities[name] else { throw MountError.notFound("CA \(name) not found") }
            if let listener = config.listeners.values.sorted(by: { $0.name < $1.name }).first(where: { $0.clientCAs.contains(name) }) {
                throw MountError(.conflict, "CA \(name) is in use by listener \(listener.name)")
            }
            for key in staleKeys { config.roleAuthorities[key] = nil }
            if config.roleAuthorities.values.contains(name) {
                throw MountError(.conflict, "CA \(name) is in use by a role (set its ca to another CA or \"\" first)")
            }
            config.authorities[name] = nil
            removed.withLockedValue { $0 = authority }
        }
        if case .generated(let generated)? = removed.withLockedValue({ $0 })?.kind {
            try? await store.deleteAuthorityMaterial(id: generated.materialID)
            authorityCache.withLockedValue { $0[generated.materialID] = nil }
        }
        return stored
    }

    // MARK: Named listeners

    public func listeners() async throws -> [NamedListener] {
        (try await config()?.listeners.values).map { $0.sorted { $0.name < $1.name } } ?? []
    }

    public func listener(_ name: String) async throws -> NamedListener? { try await config()?.listeners[name] }

    /// Creates or replaces the listener `name`. Its `ca` must be a generated CA; its other client
    /// CAs must exist. `check` sees the resulting config before it is stored (address clashes).
    @discardableResult
    public func putListener(name: String, _ definition: NamedListenerDefinition,
                            check: @escaping @Sendable (MountConfig) throws -> Void = { _ in }) async throws -> MountConfig {
        let listener = try definition.listener(named: name)
        return try await modifyConfig(check: check) { config in
            guard let ca = config.authorities[listener.ca] else { throw MountError.invalid("ca: CA \(listener.ca) not found") }
            guard !ca.isImported else {
                throw MountError.invalid("ca: CA \(listener.ca) is imported; a listener's ca must be generated (it signs the server certificate)")
            }
            for other in listener.additionalClientCAs where config.authorities[other] == nil {
                throw MountError.invalid("additional_client_cas: CA \(other) not found")
            }
            config.listeners[name] = listener
        }
    }

    @discardableResult
    public func deleteListener(name: String, check: @escaping @Sendable (MountConfig) throws -> Void = { _ in }) async throws -> MountConfig {
        try await modifyConfig(check: check) { config in
            guard config.listeners[name] != nil else { throw MountError.notFound("listener \(name) not found") }
            config.listeners[name] = nil
        }
    }

    /// The server certificate of a named listener of `config`: its hostnames and IPs (plus this
    /// node's bind host), signed by its CA.
    public func serverCredential(for listener: NamedListener, config: MountConfig, node: String? = nil) async throws -> (ServerCredential, KMIPCA) {
        guard let authority = config.authorities[listener.ca] else { throw MountError.notFound("CA \(listener.ca) not found") }
        let ca = try await issuingCA(authority)
        var hostnames = listener.serverHostnames.isEmpty ? ["localhost"] : listener.serverHostnames
        var ips = listener.serverIPs
        if let node {
            if IPAddressBytes.parse(node) != nil { if !ips.contains(node) { ips.append(node) } } else if !hostnames.contains(node) {
                hostnames.append(node)
            }
        }
        do { return (try ca.issueServerCertificate(hostnames: hostnames, ips: ips, now: clock()), ca) } catch let e as PKIError {
            throw MountError.from(e)
        }
    }

    // MARK: Roles

    /// The CA that signs the role's client certificates: its named CA, else the legacy one.
    func issuer(for role: RoleRecord, config: MountConfig) async throws -> KMIPCA {
        guard let name = config.roleAuthorities[Self.roleKey(role)] else { return try await ca() }
        guard let authority = config.authorities[name] else {
            throw MountError(.conflict, "the CA \(name) of role \(role.name) no longer exists")
        }
        return try await issuingCA(authority)
    }

    /// The named CA of a role, if it has one.
    public func authorityName(of role: RoleRecord) async throws -> String? {
        try await config()?.roleAuthorities[Self.roleKey(role)]
    }

    static func roleKey(_ role: RoleRecord) -> String { "\(role.scopeID)/\(role.id)" }

    /// Sets (or, with nil, clears) the role's CA; the CA must be a generated one. `current`: the
    /// config as last read, to skip the write when there is nothing to clear.
    func setAuthority(_ name: String?, of role: RoleRecord, current: MountConfig?) async throws {
        let key = Self.roleKey(role)
        if name == nil, current?.roleAuthorities[key] == nil { return }
        try await modifyConfig { config in
            if let name {
                guard let authority = config.authorities[name] else { throw MountError.invalid("ca: CA \(name) not found") }
                guard !authority.isImported else {
                    throw MountError.invalid("ca: CA \(name) is imported; a role's ca must be generated (it signs the role's certificates)")
                }
            }
            config.roleAuthorities[key] = name
        }
    }

    /// Forgets the CA entries of roles that are gone (`prefix`: one role's key, or a scope id and `/`).
    func forgetAuthorities(withPrefix prefix: String) async {
        guard let config = try? await config(), config.roleAuthorities.keys.contains(where: { $0.hasPrefix(prefix) }) else { return }
        _ = try? await modifyConfig { config in
            config.roleAuthorities = config.roleAuthorities.filter { !$0.key.hasPrefix(prefix) }
        }
    }

    // MARK: Config transaction

    /// Applies `change` to the stored config in one store transaction, then `check` (which may
    /// refuse the result). ``MountError/Kind/notConfigured`` when no config was ever written.
    @discardableResult
    func modifyConfig(check: @escaping @Sendable (MountConfig) throws -> Void = { _ in },
                      _ change: @escaping @Sendable (inout MountConfig) throws -> Void) async throws -> MountConfig {
        let stored = try await store.updateConfig { record in
            guard let record else { throw MountError.notConfigured }
            var config = try MountConfig(stored: record)
            try change(&config)
            try config.validate()
            try check(config)
            return config.record
        }
        return try MountConfig(stored: stored)
    }
}
