import KMIP

/// The indexed query Locate runs on: every non-nil field must match; results newest first by
/// Initial Date (ties: the later insert first), then `offset`/`maximumItems` applied.
public struct ObjectQuery: Sendable, Hashable {
    public var name: String?
    public var objectType: ObjectType?
    public var state: State?
    public var cryptographicAlgorithm: CryptographicAlgorithm?
    public var cryptographicLength: Int32?
    public var objectGroup: String?
    /// Inclusive bounds on Initial Date.
    public var initialDateFrom: DateTime?
    public var initialDateTo: DateTime?
    public var offset: Int
    public var maximumItems: Int?

    public init(name: String? = nil, objectType: ObjectType? = nil, state: State? = nil,
                cryptographicAlgorithm: CryptographicAlgorithm? = nil, cryptographicLength: Int32? = nil,
                objectGroup: String? = nil, initialDateFrom: DateTime? = nil, initialDateTo: DateTime? = nil,
                offset: Int = 0, maximumItems: Int? = nil) {
        self.name = name; self.objectType = objectType; self.state = state
        self.cryptographicAlgorithm = cryptographicAlgorithm; self.cryptographicLength = cryptographicLength
        self.objectGroup = objectGroup; self.initialDateFrom = initialDateFrom; self.initialDateTo = initialDateTo
        self.offset = offset; self.maximumItems = maximumItems
    }

    func matches(_ r: ManagedObjectRecord) -> Bool {
        if let name, !r.names.contains(name) { return false }
        if let objectType, r.objectType != objectType { return false }
        if let state, r.state != state { return false }
        if let cryptographicAlgorithm, r.cryptographicAlgorithm != cryptographicAlgorithm { return false }
        if let cryptographicLength, r.cryptographicLength != cryptographicLength { return false }
        if let objectGroup, r.objectGroup != objectGroup { return false }
        if let initialDateFrom, r.initialDate < initialDateFrom { return false }
        if let initialDateTo, r.initialDate > initialDateTo { return false }
        return true
    }
}

/// Managed objects, always addressed within one scope: an object is invisible from any other.
public protocol ObjectStore: Sendable {
    /// Fails with `StoreError.duplicate` (Illegal Operation) if the identifier exists in the scope.
    func insert(_ object: ManagedObjectRecord) async throws
    func object(scopeID: String, uniqueIdentifier: String) async throws -> ManagedObjectRecord?
    /// Replaces the stored object of the same scope and identifier; Item Not Found if absent.
    func update(_ object: ManagedObjectRecord) async throws
    /// Item Not Found if absent.
    func delete(scopeID: String, uniqueIdentifier: String) async throws
    /// The Unique Identifiers matching `query`, newest first.
    func locate(scopeID: String, _ query: ObjectQuery) async throws -> [String]
}

/// The mount's domain model: config, CA, scopes, roles and credentials.
public protocol MountStore: Sendable {
    func config() async throws -> ConfigRecord?
    func setConfig(_ config: ConfigRecord) async throws
    func caMaterial() async throws -> CAMaterial?
    func setCAMaterial(_ material: CAMaterial) async throws

    func scopes() async throws -> [ScopeRecord]
    func scope(named name: String) async throws -> ScopeRecord?
    func scope(id: String) async throws -> ScopeRecord?
    /// Fails if the name or the id is taken.
    func insertScope(_ scope: ScopeRecord) async throws
    /// Removes the scope. Without `force` it refuses when the scope holds objects; with `force` it
    /// removes its objects, roles and credentials in the same transaction. Item Not Found if absent.
    func deleteScope(named name: String, force: Bool) async throws

    func roles(scopeID: String) async throws -> [RoleRecord]
    func role(scopeID: String, name: String) async throws -> RoleRecord?
    func role(scopeID: String, id: String) async throws -> RoleRecord?
    /// Creates the role, or replaces it whole (keeping its id) if the name exists. The scope must exist.
    func putRole(_ role: RoleRecord) async throws
    /// Removes the role and its credentials. Item Not Found if absent.
    func deleteRole(scopeID: String, name: String) async throws

    /// The role must exist; fails if the serial is taken.
    func addCredential(_ credential: CredentialRecord) async throws
    func credentials(scopeID: String, roleName: String) async throws -> [CredentialRecord]
    func credential(serialNumber: String) async throws -> CredentialRecord?
    /// Item Not Found if absent.
    func deleteCredential(serialNumber: String) async throws
}
