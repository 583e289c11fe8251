import KMIP
import KMIPStore

/// A store in memory, for unit tests: the same semantics as `SQLiteStore`, no durability.
public actor InMemoryStore: ServerStore {
    /// What one mount owns besides its scopes' roles, credentials and objects (keyed by scope id).
    private struct MountData {
        var config: ConfigRecord?
        var ca: CAMaterial?
        var scopesByName: [String: ScopeRecord] = [:]
    }

    /// Keyed by scope id and Unique Identifier: identifiers are per scope (Import chooses them).
    private var objects: [ObjectKey: (seq: Int, record: ManagedObjectRecord)] = [:]
    private struct ObjectKey: Hashable { var scopeID: String; var uid: String }
    private var sequence = 0
    private var mountData: [String: MountData] = [:]
    /// Scope id → its mount's id; scope ids are unique across all mounts.
    private var scopeMounts: [String: String] = [:]
    private var roleList: [RoleRecord] = []
    private var credentialsBySerial: [String: CredentialRecord] = [:]
    private var mountEntries: [String: MountEntry] = [:]
    private var tokensByAccessor: [String: TokenRecord] = [:]
    private var auditDevicesByPath: [String: AuditDeviceRecord] = [:]
    private var policiesByName: [String: PolicyRecord] = [:]

    public init() {}

    // MARK: Objects

    public func insert(_ object: ManagedObjectRecord) throws {
        let key = ObjectKey(scopeID: object.scopeID, uid: object.uniqueIdentifier)
        guard objects[key] == nil else { throw StoreError.duplicate("object \(object.uniqueIdentifier)") }
        sequence += 1
        objects[key] = (sequence, object)
    }

    public func object(scopeID: String, uniqueIdentifier: String) -> ManagedObjectRecord? {
        objects[ObjectKey(scopeID: scopeID, uid: uniqueIdentifier)]?.record
    }

    public func update(_ object: ManagedObjectRecord) throws {
        let key = ObjectKey(scopeID: object.scopeID, uid: object.uniqueIdentifier)
        guard let e = objects[key] else { throw StoreError.notFound("object \(object.uniqueIdentifier)") }
        objects[key] = (e.seq, object)
    }

    public func modify<T: Sendable>(scopeID: String, uniqueIdentifier: String, inserting: ManagedObjectRecord?,
                                    _ change: @escaping @Sendable (inout ManagedObjectRecord) throws -> T) throws -> (ManagedObjectRecord, T) {
        let key = ObjectKey(scopeID: scopeID, uid: uniqueIdentifier)
        guard let e = objects[key] else { throw StoreError.notFound("object \(uniqueIdentifier)") }
        var record = e.record
        let result = try change(&record)
        if let inserting { try insert(inserting) }
        objects[key] = (e.seq, record)
        return (record, result)
    }

    public func delete(scopeID: String, uniqueIdentifier: String) throws {
        guard objects.removeValue(forKey: ObjectKey(scopeID: scopeID, uid: uniqueIdentifier)) != nil else {
            throw StoreError.notFound("object \(uniqueIdentifier)")
        }
    }

    public func locate(scopeID: String, _ query: ObjectQuery) -> [String] {
        let hits = objects.values
            .filter { $0.record.scopeID == scopeID && query.matches($0.record) }
            .sorted { a, b in
                let newer = (a.record.initialDate, a.seq) > (b.record.initialDate, b.seq)
                return query.oldestFirst ? !newer : newer
            }
            .dropFirst(max(0, query.offset))
        return hits.prefix(query.maximumItems.map { max(0, $0) } ?? Int.max).map(\.record.uniqueIdentifier)
    }

    public func count(scopeID: String, _ query: ObjectQuery) -> Int {
        objects.values.count { $0.record.scopeID == scopeID && query.matches($0.record) }
    }

    // MARK: Mounts

    public func mounts() -> [MountEntry] { mountEntries.values.sorted { $0.path < $1.path } }

    public func insertMount(_ mount: MountEntry) throws {
        guard mountEntries[mount.id] == nil, !mountEntries.values.contains(where: { $0.path == mount.path }) else {
            throw StoreError.duplicate("mount \(mount.path)")
        }
        mountEntries[mount.id] = mount
    }

    public func deleteMount(id: String) throws {
        guard mountEntries.removeValue(forKey: id) != nil else { throw StoreError.notFound("mount \(id)") }
        let owned = Set(scopeMounts.filter { $0.value == id }.keys)
        objects = objects.filter { !owned.contains($0.value.record.scopeID) }
        roleList.removeAll { owned.contains($0.scopeID) }
        credentialsBySerial = credentialsBySerial.filter { !owned.contains($0.value.scopeID) }
        for scopeID in owned { scopeMounts[scopeID] = nil }
        mountData[id] = nil
        for key in mountData.keys where key.hasPrefix(id + "/ca/") { mountData[key] = nil }
    }

    public nonisolated func mountStore(mountID: String) -> any MountStore { MountView(store: self, mountID: mountID) }

    /// Nothing to release.
    public func close() {}

    // MARK: Tokens

    public func tokens() -> [TokenRecord] {
        tokensByAccessor.values.sorted { ($0.createdAt, $0.accessor) < ($1.createdAt, $1.accessor) }
    }
    public func token(hash: [UInt8]) -> TokenRecord? { tokensByAccessor.values.first { $0.tokenHash == hash } }
    public func token(accessor: String) -> TokenRecord? { tokensByAccessor[accessor] }

    public func insertToken(_ token: TokenRecord) throws {
        guard tokensByAccessor[token.accessor] == nil, self.token(hash: token.tokenHash) == nil else {
            throw StoreError.duplicate("token \(token.accessor)")
        }
        tokensByAccessor[token.accessor] = token
    }

    public func insertFirstToken(_ token: TokenRecord) throws -> Bool {
        guard tokensByAccessor.isEmpty else { return false }
        try insertToken(token)
        return true
    }

    public func deleteToken(accessor: String) throws {
        guard tokensByAccessor[accessor] != nil else { throw StoreError.notFound("token \(accessor)") }
        var pending = [accessor]
        while let next = pending.popLast() {
            tokensByAccessor[next] = nil
            pending += tokensByAccessor.values.filter { $0.parentAccessor == next }.map(\.accessor)
        }
    }

    // MARK: Audit devices

    public func policies() -> [PolicyRecord] { policiesByName.values.sorted { $0.name < $1.name } }
    public func policy(name: String) -> PolicyRecord? { policiesByName[name] }
    public func putPolicy(_ policy: PolicyRecord) { policiesByName[policy.name] = policy }
    public func createPolicy(_ policy: PolicyRecord) -> Bool {
        guard policiesByName[policy.name] == nil else { return false }
        policiesByName[policy.name] = policy
        return true
    }
    public func deletePolicy(name: String) throws {
        guard policiesByName.removeValue(forKey: name) != nil else { throw StoreError.notFound("policy \(name)") }
    }

    public func auditDevices() -> [AuditDeviceRecord] { auditDevicesByPath.values.sorted { $0.path < $1.path } }

    public func insertAuditDevice(_ device: AuditDeviceRecord) throws {
        guard auditDevicesByPath[device.path] == nil else { throw StoreError.duplicate("audit device \(device.path)") }
        auditDevicesByPath[device.path] = device
    }

    public func deleteAuditDevice(path: String) throws {
        guard auditDevicesByPath.removeValue(forKey: path) != nil else { throw StoreError.notFound("audit device \(path)") }
    }
}

extension InMemoryStore: MountScopedStore {
    private func owns(_ mountID: String, scopeID: String) -> Bool { scopeMounts[scopeID] == mountID }

    // MARK: Config and CA

    package func config(mountID: String) -> ConfigRecord? { mountData[mountID]?.config }
    package func setConfig(_ config: ConfigRecord, mountID: String) { mountData[mountID, default: MountData()].config = config }
    package func updateConfig(_ change: @escaping @Sendable (ConfigRecord?) throws -> ConfigRecord, mountID: String) throws -> ConfigRecord {
        let next = try change(mountData[mountID]?.config)
        mountData[mountID, default: MountData()].config = next
        return next
    }
    package func caMaterial(mountID: String) -> CAMaterial? { mountData[mountID]?.ca }
    package func deleteCAMaterial(mountID: String) { mountData[mountID]?.ca = nil }
    package func createCAMaterial(_ material: CAMaterial, mountID: String) throws -> CAMaterial {
        guard material.certificatesDER.count == material.privateKeys.count else {
            throw StoreError(.invalidField, "CA material needs one private key per certificate")
        }
        if let existing = mountData[mountID]?.ca { return existing }
        mountData[mountID, default: MountData()].ca = material
        return material
    }

    // MARK: Scopes

    package func scopes(mountID: String) -> [ScopeRecord] {
        (mountData[mountID]?.scopesByName.values).map { $0.sorted { $0.name < $1.name } } ?? []
    }
    package func scope(named name: String, mountID: String) -> ScopeRecord? { mountData[mountID]?.scopesByName[name] }
    package func scope(id: String, mountID: String) -> ScopeRecord? {
        mountData[mountID]?.scopesByName.values.first { $0.id == id }
    }

    package func insertScope(_ scope: ScopeRecord, mountID: String) throws {
        guard self.scope(named: scope.name, mountID: mountID) == nil, scopeMounts[scope.id] == nil else {
            throw StoreError.duplicate("scope \(scope.name)")
        }
        mountData[mountID, default: MountData()].scopesByName[scope.name] = scope
        scopeMounts[scope.id] = mountID
    }

    package func deleteScope(named name: String, force: Bool, mountID: String) throws {
        guard let scope = scope(named: name, mountID: mountID) else { throw StoreError.notFound("scope \(name)") }
        let owned = objects.values.filter { $0.record.scopeID == scope.id }.count
        if owned > 0 && !force { throw StoreError.scopeNotEmpty(name, objects: owned) }
        objects = objects.filter { $0.value.record.scopeID != scope.id }
        roleList.removeAll { $0.scopeID == scope.id }
        credentialsBySerial = credentialsBySerial.filter { $0.value.scopeID != scope.id }
        mountData[mountID]?.scopesByName[name] = nil
        scopeMounts[scope.id] = nil
    }

    // MARK: Roles

    package func roles(scopeID: String, mountID: String) -> [RoleRecord] {
        guard owns(mountID, scopeID: scopeID) else { return [] }
        return roleList.filter { $0.scopeID == scopeID }.sorted { $0.name < $1.name }
    }
    package func role(scopeID: String, name: String, mountID: String) -> RoleRecord? {
        guard owns(mountID, scopeID: scopeID) else { return nil }
        return roleList.first { $0.scopeID == scopeID && $0.name == name }
    }
    package func role(scopeID: String, id: String, mountID: String) -> RoleRecord? {
        guard owns(mountID, scopeID: scopeID) else { return nil }
        return roleList.first { $0.scopeID == scopeID && $0.id == id }
    }

    package func putRole(_ role: RoleRecord, mountID: String) throws {
        guard owns(mountID, scopeID: role.scopeID) else { throw StoreError.notFound("scope \(role.scopeID)") }
        if let i = roleList.firstIndex(where: { $0.scopeID == role.scopeID && $0.name == role.name }) {
            var replaced = role
            replaced.id = roleList[i].id
            roleList[i] = replaced
        } else {
            guard !roleList.contains(where: { $0.id == role.id }) else { throw StoreError.duplicate("role id \(role.id)") }
            roleList.append(role)
        }
    }

    package func deleteRole(scopeID: String, name: String, mountID: String) throws {
        guard owns(mountID, scopeID: scopeID),
              let i = roleList.firstIndex(where: { $0.scopeID == scopeID && $0.name == name }) else {
            throw StoreError.notFound("role \(name)")
        }
        roleList.remove(at: i)
        credentialsBySerial = credentialsBySerial.filter { !($0.value.scopeID == scopeID && $0.value.roleName == name) }
    }

    // MARK: Credentials

    package func addCredential(_ credential: CredentialRecord, mountID: String) throws {
        guard role(scopeID: credential.scopeID, name: credential.roleName, mountID: mountID) != nil else {
            throw StoreError.notFound("role \(credential.roleName)")
        }
        guard credentialsBySerial[credential.serialNumber] == nil else {
            throw StoreError.duplicate("credential \(credential.serialNumber)")
        }
        credentialsBySerial[credential.serialNumber] = credential
    }

    package func credentials(scopeID: String, roleName: String, mountID: String) -> [CredentialRecord] {
        guard owns(mountID, scopeID: scopeID) else { return [] }
        return credentialsBySerial.values.filter { $0.scopeID == scopeID && $0.roleName == roleName }
            .sorted { $0.serialNumber < $1.serialNumber }
    }
    package func credential(serialNumber: String, mountID: String) -> CredentialRecord? {
        guard let c = credentialsBySerial[serialNumber], owns(mountID, scopeID: c.scopeID) else { return nil }
        return c
    }

    package func deleteCredential(serialNumber: String, mountID: String) throws {
        guard credential(serialNumber: serialNumber, mountID: mountID) != nil else {
            throw StoreError.notFound("credential \(serialNumber)")
        }
        credentialsBySerial[serialNumber] = nil
    }
}
