import KMIP

/// A store in memory, for unit tests: the same semantics as `SQLiteStore`, no durability.
public actor InMemoryStore: ObjectStore, MountStore {
    private var objects: [String: (seq: Int, record: ManagedObjectRecord)] = [:]
    private var sequence = 0
    private var configRecord: ConfigRecord?
    private var ca: CAMaterial?
    private var scopesByName: [String: ScopeRecord] = [:]
    private var roleList: [RoleRecord] = []
    private var credentialsBySerial: [String: CredentialRecord] = [:]

    public init() {}

    // MARK: Objects

    public func insert(_ object: ManagedObjectRecord) throws {
        guard objects[object.uniqueIdentifier] == nil else { throw StoreError.duplicate("object \(object.uniqueIdentifier)") }
        sequence += 1
        objects[object.uniqueIdentifier] = (sequence, object)
    }

    public func object(scopeID: String, uniqueIdentifier: String) -> ManagedObjectRecord? {
        guard let r = objects[uniqueIdentifier]?.record, r.scopeID == scopeID else { return nil }
        return r
    }

    public func update(_ object: ManagedObjectRecord) throws {
        guard let e = objects[object.uniqueIdentifier], e.record.scopeID == object.scopeID else {
            throw StoreError.notFound("object \(object.uniqueIdentifier)")
        }
        objects[object.uniqueIdentifier] = (e.seq, object)
    }

    public func modify<T: Sendable>(scopeID: String, uniqueIdentifier: String, inserting: ManagedObjectRecord?,
                                    _ change: @escaping @Sendable (inout ManagedObjectRecord) throws -> T) throws -> (ManagedObjectRecord, T) {
        guard let e = objects[uniqueIdentifier], e.record.scopeID == scopeID else {
            throw StoreError.notFound("object \(uniqueIdentifier)")
        }
        var record = e.record
        let result = try change(&record)
        if let inserting { try insert(inserting) }
        objects[uniqueIdentifier] = (e.seq, record)
        return (record, result)
    }

    public func delete(scopeID: String, uniqueIdentifier: String) throws {
        guard let e = objects[uniqueIdentifier], e.record.scopeID == scopeID else {
            throw StoreError.notFound("object \(uniqueIdentifier)")
        }
        objects[uniqueIdentifier] = nil
    }

    public func locate(scopeID: String, _ query: ObjectQuery) -> [String] {
        let hits = objects.values
            .filter { $0.record.scopeID == scopeID && query.matches($0.record) }
            .sorted { ($0.record.initialDate, $0.seq) > ($1.record.initialDate, $1.seq) }
            .dropFirst(max(0, query.offset))
        return hits.prefix(query.maximumItems.map { max(0, $0) } ?? Int.max).map(\.record.uniqueIdentifier)
    }

    public func count(scopeID: String, _ query: ObjectQuery) -> Int {
        objects.values.count { $0.record.scopeID == scopeID && query.matches($0.record) }
    }

    // MARK: Config and CA

    public func config() -> ConfigRecord? { configRecord }
    public func setConfig(_ config: ConfigRecord) { configRecord = config }
    public func caMaterial() -> CAMaterial? { ca }
    public func setCAMaterial(_ material: CAMaterial) { ca = material }

    // MARK: Scopes

    public func scopes() -> [ScopeRecord] { scopesByName.values.sorted { $0.name < $1.name } }
    public func scope(named name: String) -> ScopeRecord? { scopesByName[name] }
    public func scope(id: String) -> ScopeRecord? { scopesByName.values.first { $0.id == id } }

    public func insertScope(_ scope: ScopeRecord) throws {
        guard scopesByName[scope.name] == nil, self.scope(id: scope.id) == nil else {
            throw StoreError.duplicate("scope \(scope.name)")
        }
        scopesByName[scope.name] = scope
    }

    public func deleteScope(named name: String, force: Bool) throws {
        guard let scope = scopesByName[name] else { throw StoreError.notFound("scope \(name)") }
        let owned = objects.values.filter { $0.record.scopeID == scope.id }.count
        if owned > 0 && !force { throw StoreError.scopeNotEmpty(name, objects: owned) }
        objects = objects.filter { $0.value.record.scopeID != scope.id }
        roleList.removeAll { $0.scopeID == scope.id }
        credentialsBySerial = credentialsBySerial.filter { $0.value.scopeID != scope.id }
        scopesByName[name] = nil
    }

    // MARK: Roles

    public func roles(scopeID: String) -> [RoleRecord] {
        roleList.filter { $0.scopeID == scopeID }.sorted { $0.name < $1.name }
    }
    public func role(scopeID: String, name: String) -> RoleRecord? {
        roleList.first { $0.scopeID == scopeID && $0.name == name }
    }
    public func role(scopeID: String, id: String) -> RoleRecord? {
        roleList.first { $0.scopeID == scopeID && $0.id == id }
    }

    public func putRole(_ role: RoleRecord) throws {
        guard scope(id: role.scopeID) != nil else { throw StoreError.notFound("scope \(role.scopeID)") }
        if let i = roleList.firstIndex(where: { $0.scopeID == role.scopeID && $0.name == role.name }) {
            var replaced = role
            replaced.id = roleList[i].id
            roleList[i] = replaced
        } else {
            guard !roleList.contains(where: { $0.id == role.id }) else { throw StoreError.duplicate("role id \(role.id)") }
            roleList.append(role)
        }
    }

    public func deleteRole(scopeID: String, name: String) throws {
        guard let i = roleList.firstIndex(where: { $0.scopeID == scopeID && $0.name == name }) else {
            throw StoreError.notFound("role \(name)")
        }
        roleList.remove(at: i)
        credentialsBySerial = credentialsBySerial.filter { !($0.value.scopeID == scopeID && $0.value.roleName == name) }
    }

    // MARK: Credentials

    public func addCredential(_ credential: CredentialRecord) throws {
        guard role(scopeID: credential.scopeID, name: credential.roleName) != nil else {
            throw StoreError.notFound("role \(credential.roleName)")
        }
        guard credentialsBySerial[credential.serialNumber] == nil else {
            throw StoreError.duplicate("credential \(credential.serialNumber)")
        }
        credentialsBySerial[credential.serialNumber] = credential
    }

    public func credentials(scopeID: String, roleName: String) -> [CredentialRecord] {
        credentialsBySerial.values.filter { $0.scopeID == scopeID && $0.roleName == roleName }
            .sorted { $0.serialNumber < $1.serialNumber }
    }
    public func credential(serialNumber: String) -> CredentialRecord? { credentialsBySerial[serialNumber] }

    public func deleteCredential(serialNumber: String) throws {
        guard credentialsBySerial.removeValue(forKey: serialNumber) != nil else {
            throw StoreError.notFound("credential \(serialNumber)")
        }
    }
}
