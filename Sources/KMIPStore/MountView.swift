import KMIP

/// `MountStore`'s operations with the mount made explicit: what a backend implements so that
/// ``MountView`` can serve any mount of it. Roles and credentials are reachable only through a
/// scope of the given mount, so one mount never sees (or changes) another's.
package protocol MountScopedStore: Sendable {
    func config(mountID: String) async throws -> ConfigRecord?
    func setConfig(_ config: ConfigRecord, mountID: String) async throws
    func updateConfig(_ change: @escaping @Sendable (ConfigRecord?) throws -> ConfigRecord, mountID: String) async throws -> ConfigRecord
    func caMaterial(mountID: String) async throws -> CAMaterial?
    func createCAMaterial(_ material: CAMaterial, mountID: String) async throws -> CAMaterial
    /// Removes the CA rows stored under `mountID` (a named CA's key, ``MountView/authorityKey(_:)``).
    func deleteCAMaterial(mountID: String) async throws

    func scopes(mountID: String) async throws -> [ScopeRecord]
    func scope(named name: String, mountID: String) async throws -> ScopeRecord?
    func scope(id: String, mountID: String) async throws -> ScopeRecord?
    func insertScope(_ scope: ScopeRecord, mountID: String) async throws
    func deleteScope(named name: String, force: Bool, mountID: String) async throws

    func roles(scopeID: String, mountID: String) async throws -> [RoleRecord]
    func role(scopeID: String, name: String, mountID: String) async throws -> RoleRecord?
    func role(scopeID: String, id: String, mountID: String) async throws -> RoleRecord?
    func putRole(_ role: RoleRecord, mountID: String) async throws
    func deleteRole(scopeID: String, name: String, mountID: String) async throws

    func addCredential(_ credential: CredentialRecord, mountID: String) async throws
    func credentials(scopeID: String, roleName: String, mountID: String) async throws -> [CredentialRecord]
    func credential(serialNumber: String, mountID: String) async throws -> CredentialRecord?
    func deleteCredential(serialNumber: String, mountID: String) async throws
}

/// One mount of a store, as a `MountStore`: the store plus the mount id every call is made with.
package struct MountView<Backend: MountScopedStore>: MountStore {
    let store: Backend
    let mountID: String

    package init(store: Backend, mountID: String) { self.store = store; self.mountID = mountID }

    package func config() async throws -> ConfigRecord? { try await store.config(mountID: mountID) }
    package func setConfig(_ config: ConfigRecord) async throws { try await store.setConfig(config, mountID: mountID) }
    package func updateConfig(_ change: @escaping @Sendable (ConfigRecord?) throws -> ConfigRecord) async throws -> ConfigRecord {
        try await store.updateConfig(change, mountID: mountID)
    }
    package func caMaterial() async throws -> CAMaterial? { try await store.caMaterial(mountID: mountID) }
    package func createCAMaterial(_ material: CAMaterial) async throws -> CAMaterial {
        try await store.createCAMaterial(material, mountID: mountID)
    }

    /// Named CAs keep their material in the CA table under `<mount id>/ca/<id>`: sealed under an AAD
    /// naming that key, verified like the mount's own CA, and deleted with the mount.
    func authorityKey(_ id: String) -> String { Self.authorityKey(mountID: mountID, id: id) }
    package static func authorityKey(mountID: String, id: String) -> String { "\(mountID)/ca/\(id)" }

    package func authorityMaterial(id: String) async throws -> CAMaterial? { try await store.caMaterial(mountID: authorityKey(id)) }
    package func addAuthorityMaterial(_ material: CAMaterial, id: String) async throws {
        guard try await store.createCAMaterial(material, mountID: authorityKey(id)) == material else {
            throw StoreError(.illegalOperation, "CA material \(id) already exists")
        }
    }
    package func deleteAuthorityMaterial(id: String) async throws { try await store.deleteCAMaterial(mountID: authorityKey(id)) }

    package func scopes() async throws -> [ScopeRecord] { try await store.scopes(mountID: mountID) }
    package func scope(named name: String) async throws -> ScopeRecord? { try await store.scope(named: name, mountID: mountID) }
    package func scope(id: String) async throws -> ScopeRecord? { try await store.scope(id: id, mountID: mountID) }
    package func insertScope(_ scope: ScopeRecord) async throws { try await store.insertScope(scope, mountID: mountID) }
    package func deleteScope(named name: String, force: Bool) async throws {
        try await store.deleteScope(named: name, force: force, mountID: mountID)
    }

    package func roles(scopeID: String) async throws -> [RoleRecord] { try await store.roles(scopeID: scopeID, mountID: mountID) }
    package func role(scopeID: String, name: String) async throws -> RoleRecord? {
        try await store.role(scopeID: scopeID, name: name, mountID: mountID)
    }
    package func role(scopeID: String, id: String) async throws -> RoleRecord? {
        try await store.role(scopeID: scopeID, id: id, mountID: mountID)
    }
    package func putRole(_ role: RoleRecord) async throws { try await store.putRole(role, mountID: mountID) }
    package func deleteRole(scopeID: String, name: String) async throws {
        try await store.deleteRole(scopeID: scopeID, name: name, mountID: mountID)
    }

    package func addCredential(_ credential: CredentialRecord) async throws { try await store.addCredential(credential, mountID: mountID) }
    package func credentials(scopeID: String, roleName: String) async throws -> [CredentialRecord] {
        try await store.credentials(scopeID: scopeID, roleName: roleName, mountID: mountID)
    }
    package func credential(serialNumber: String) async throws -> CredentialRecord? {
        try await store.credential(serialNumber: serialNumber, mountID: mountID)
    }
    package func deleteCredential(serialNumber: String) async throws {
        try await store.deleteCredential(serialNumber: serialNumber, mountID: mountID)
    }
}
