import KMIP

/// The indexed query Locate runs on: every non-nil field must match; results newest first by
/// Initial Date (ties: the later insert first), then `offset`/`maximumItems` applied.
public struct ObjectQuery: Sendable, Hashable {
    public var name: String?
    public var objectType: ObjectType?
    public var state: State?
    /// When set, `state` matches the state the object has at this time: a passed Activation Date
    /// makes a Pre-Active object Active and a passed Deactivation Date an Active one Deactivated,
    /// even before anything rewrote the stored state.
    public var stateAsOf: DateTime?
    public var cryptographicAlgorithm: CryptographicAlgorithm?
    public var cryptographicLength: Int32?
    /// The object's first Object Group (a column); `attributes` matches any instance.
    public var objectGroup: String?
    /// Inclusive bounds on Initial Date.
    public var initialDateFrom: DateTime?
    public var initialDateTo: DateTime?
    /// Inclusive bounds on Activation, Deactivation and Destroy Date; an object without the date
    /// never matches a bound on it.
    public var activationDateFrom: DateTime?
    public var activationDateTo: DateTime?
    public var deactivationDateFrom: DateTime?
    public var deactivationDateTo: DateTime?
    public var destroyDateFrom: DateTime?
    public var destroyDateTo: DateTime?
    /// Bits the object's Cryptographic Usage Mask must all have.
    public var cryptographicUsageMask: UInt32?
    /// On-line (not archived) and/or archived objects; nil: both.
    public var storageStatusMask: StorageStatusMask?
    /// Leaves out Destroyed and Destroyed Compromised objects (their attributes stay stored).
    public var excludesDestroyed = false
    /// Conditions on other attributes (Link, Object Group, Fresh, custom attributes…): each must
    /// hold for some instance. Names held in columns (`ObjectIndex.columnAttributes`) never match here.
    public var attributes: [AttributeMatch]
    public var offset: Int
    public var maximumItems: Int?
    /// Oldest first instead of newest first: Locate by Group Member Fresh hands out a group's
    /// fresh members in the order they were made (TC_152).
    public var oldestFirst = false

    public init(name: String? = nil, objectType: ObjectType? = nil, state: State? = nil,
                cryptographicAlgorithm: CryptographicAlgorithm? = nil, cryptographicLength: Int32? = nil,
                objectGroup: String? = nil, initialDateFrom: DateTime? = nil, initialDateTo: DateTime? = nil,
                cryptographicUsageMask: UInt32? = nil, storageStatusMask: StorageStatusMask? = nil,
                attributes: [AttributeMatch] = [], offset: Int = 0, maximumItems: Int? = nil) {
        self.name = name; self.objectType = objectType; self.state = state
        self.cryptographicAlgorithm = cryptographicAlgorithm; self.cryptographicLength = cryptographicLength
        self.objectGroup = objectGroup; self.initialDateFrom = initialDateFrom; self.initialDateTo = initialDateTo
        self.cryptographicUsageMask = cryptographicUsageMask; self.storageStatusMask = storageStatusMask
        self.attributes = attributes
        self.offset = offset; self.maximumItems = maximumItems
    }

    /// True when the storage status mask excludes every object.
    var selectsNothing: Bool {
        guard let mask = storageStatusMask else { return false }
        return !mask.contains(.onLineStorage) && !mask.contains(.archivalStorage)
    }

    /// The `archived` value the storage status mask requires, if it requires one.
    var requiredArchived: Bool? {
        guard let mask = storageStatusMask else { return nil }
        switch (mask.contains(.onLineStorage), mask.contains(.archivalStorage)) {
        case (true, false): return false
        case (false, true): return true
        default: return nil
        }
    }

    /// For a query naming unindexed attributes (`ObjectIndex.unindexedAttributes`): the query of its
    /// indexed conditions (every candidate, no offset or maximum) and the conditions each candidate's
    /// decoded attributes must meet. nil when it names none.
    var unindexedSplit: (indexed: ObjectQuery, unindexed: [AttributeMatch])? {
        let unindexed = attributes.filter { ObjectIndex.unindexedAttributes.contains($0.name) }
        guard !unindexed.isEmpty else { return nil }
        var indexed = self
        indexed.attributes.removeAll { ObjectIndex.unindexedAttributes.contains($0.name) }
        indexed.offset = 0
        indexed.maximumItems = nil
        return (indexed, unindexed)
    }

    package func matches(_ r: ManagedObjectRecord) -> Bool {
        if selectsNothing { return false }
        if let name, !r.names.contains(name) { return false }
        if let objectType, r.objectType != objectType { return false }
        if let state, (stateAsOf.map { r.effectiveState(at: $0) } ?? r.state) != state { return false }
        if excludesDestroyed, r.state == .destroyed || r.state == .destroyedCompromised { return false }
        if let cryptographicAlgorithm, r.cryptographicAlgorithm != cryptographicAlgorithm { return false }
        if let cryptographicLength, r.cryptographicLength != cryptographicLength { return false }
        if let objectGroup, r.objectGroup != objectGroup { return false }
        if !Self.within(r.initialDate, initialDateFrom, initialDateTo) { return false }
        if !Self.within(r.activationDate, activationDateFrom, activationDateTo) { return false }
        if !Self.within(r.deactivationDate, deactivationDateFrom, deactivationDateTo) { return false }
        if !Self.within(r.destroyDate, destroyDateFrom, destroyDateTo) { return false }
        if let bits = cryptographicUsageMask, (ObjectIndex.usageMask(r.attributes) ?? 0) & bits != bits { return false }
        if let archived = requiredArchived, r.archived != archived { return false }
        if !attributes.isEmpty {
            let entries = ObjectIndex.entries(r.attributes)
            for match in attributes where !match.matches(entries) { return false }
        }
        return true
    }

    static func within(_ date: DateTime?, _ from: DateTime?, _ to: DateTime?) -> Bool {
        if from == nil && to == nil { return true }
        guard let date else { return false }
        if let from, date < from { return false }
        if let to, date > to { return false }
        return true
    }
}

/// A Locate condition on one attribute that has no column of its own.
public struct AttributeMatch: Sendable, Hashable {
    public enum Condition: Sendable, Hashable {
        /// Some instance has exactly this value (compared by its TTLV encoding).
        case equals(AttributeValue)
        /// Some instance has exactly this value, or the object has no instance at all: a value
        /// the server applies when the attribute is absent (the Operation Policy Name `default`).
        case equalsOrAbsent(AttributeValue)
        /// Some instance is a Date-Time or Integer within the inclusive bounds (Date-Times in
        /// seconds since 1970).
        case range(from: Int64?, to: Int64?)
    }
    public var name: String
    public var condition: Condition

    public init(_ name: String, equals value: AttributeValue) { self.name = name; condition = .equals(value) }
    public init(_ name: String, equalsOrAbsent value: AttributeValue) {
        self.name = name; condition = .equalsOrAbsent(value)
    }
    public init(_ name: String, from: DateTime?, to: DateTime?) {
        self.name = name; condition = .range(from: from?.secondsSince1970, to: to?.secondsSince1970)
    }

    /// Whether an object with these index entries meets the condition.
    func matches(_ entries: [ObjectIndex.Entry]) -> Bool {
        if case .equalsOrAbsent = condition, !entries.contains(where: { $0.name == name }) { return true }
        return entries.contains(where: matches)
    }

    private func matches(_ entry: ObjectIndex.Entry) -> Bool {
        guard entry.name == name else { return false }
        switch condition {
        case .equals(let value), .equalsOrAbsent(let value): return entry.value == ObjectIndex.encode(value)
        case .range(let from, let to):
            guard let n = entry.number else { return false }
            if let from, n < from { return false }
            if let to, n > to { return false }
            return true
        }
    }
}

/// Managed objects, always addressed within one scope: an object is invisible from any other.
public protocol ObjectStore: Sendable {
    /// Fails with `StoreError.duplicate` (Illegal Operation) if the identifier exists in the scope.
    func insert(_ object: ManagedObjectRecord) async throws
    func object(scopeID: String, uniqueIdentifier: String) async throws -> ManagedObjectRecord?
    /// Replaces the stored object of the same scope and identifier; Item Not Found if absent.
    /// Overwrites whatever is stored: callers that change an object they read use `modify`.
    func update(_ object: ManagedObjectRecord) async throws
    /// Reads the object, lets `change` edit it and stores the result, all in one transaction, so
    /// concurrent changes to one object apply one after the other and none is lost. `inserting`,
    /// when given, is inserted in the same transaction (Re-key). Item Not Found if absent; if
    /// `change` throws, nothing is stored.
    func modify<T: Sendable>(scopeID: String, uniqueIdentifier: String, inserting: ManagedObjectRecord?,
                             _ change: @escaping @Sendable (inout ManagedObjectRecord) throws -> T) async throws -> (ManagedObjectRecord, T)
    /// Item Not Found if absent.
    func delete(scopeID: String, uniqueIdentifier: String) async throws
    /// The Unique Identifiers matching `query`, newest first.
    func locate(scopeID: String, _ query: ObjectQuery) async throws -> [String]
    /// How many objects match `query`, ignoring its offset and maximum.
    func count(scopeID: String, _ query: ObjectQuery) async throws -> Int
}

/// The mount's domain model: config, CA, scopes, roles and credentials.
public protocol MountStore: Sendable {
    func config() async throws -> ConfigRecord?
    func setConfig(_ config: ConfigRecord) async throws
    /// Reads the config, lets `change` compute the next one from it (nil: never written) and
    /// stores that, in one transaction: concurrent writers (tasks, processes or nodes) apply one
    /// after the other and none is lost. If `change` throws, nothing is stored. Returns what was stored.
    func updateConfig(_ change: @escaping @Sendable (ConfigRecord?) throws -> ConfigRecord) async throws -> ConfigRecord
    func caMaterial() async throws -> CAMaterial?
    /// Stores `material` as the mount's CA unless the mount has one, atomically: whichever writer
    /// (task, process or node) gets there first wins. Returns the CA the mount has afterwards —
    /// `material`, or the one stored first.
    func createCAMaterial(_ material: CAMaterial) async throws -> CAMaterial
    /// A named CA's certificates and keys (keys sealed like the mount's own CA's), under the id the
    /// mount's config gives it; nil if none is stored there.
    func authorityMaterial(id: String) async throws -> CAMaterial?
    /// Stores a named CA's material under a fresh id. Fails (illegal operation) if the id is taken.
    func addAuthorityMaterial(_ material: CAMaterial, id: String) async throws
    /// Removes a named CA's material; nothing happens if none is stored under `id`.
    func deleteAuthorityMaterial(id: String) async throws

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
