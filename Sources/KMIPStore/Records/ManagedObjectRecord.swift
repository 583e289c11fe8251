import KMIP

/// One managed object of one scope: the columns Locate filters on, its Names, the full attribute
/// set and its key material. The store keeps `attributes` as a TTLV blob and `keyMaterial`
/// encrypted under the keyring (AAD = scope id + "/" + unique identifier).
public struct ManagedObjectRecord: Sendable, Hashable {
    /// The 5-character id of the scope that owns the object.
    public var scopeID: String
    /// 32 base62 characters.
    public var uniqueIdentifier: String
    public var objectType: ObjectType
    public var state: State
    public var cryptographicAlgorithm: CryptographicAlgorithm?
    public var cryptographicLength: Int32?
    public var initialDate: DateTime
    public var activationDate: DateTime?
    public var deactivationDate: DateTime?
    public var destroyDate: DateTime?
    public var objectGroup: String?
    /// The Name Values, in attribute index order (kept in an indexed table).
    public var names: [String]
    /// Every attribute of the object, as the engine keeps them.
    public var attributes: [Attribute]
    /// The encoded key block or object value; nil once destroyed or for attribute-only objects.
    public var keyMaterial: StoredSecret?
    /// In archival storage (Archive) rather than on-line; Locate's Storage Status Mask selects on it.
    public var archived: Bool = false

    public init(scopeID: String, uniqueIdentifier: String, objectType: ObjectType, state: State = .preActive,
                cryptographicAlgorithm: CryptographicAlgorithm? = nil, cryptographicLength: Int32? = nil,
                initialDate: DateTime, activationDate: DateTime? = nil, deactivationDate: DateTime? = nil,
                destroyDate: DateTime? = nil, objectGroup: String? = nil, names: [String] = [],
                attributes: [Attribute] = [], keyMaterial: StoredSecret? = nil) {
        self.scopeID = scopeID; self.uniqueIdentifier = uniqueIdentifier; self.objectType = objectType
        self.state = state; self.cryptographicAlgorithm = cryptographicAlgorithm
        self.cryptographicLength = cryptographicLength; self.initialDate = initialDate
        self.activationDate = activationDate; self.deactivationDate = deactivationDate
        self.destroyDate = destroyDate; self.objectGroup = objectGroup; self.names = names
        self.attributes = attributes; self.keyMaterial = keyMaterial
    }
}

extension ManagedObjectRecord {
    /// The state at `now` by the spec's date-driven transitions (Pre-Active → Active at the
    /// Activation Date, Active → Deactivated at the Deactivation Date).
    public func effectiveState(at now: DateTime) -> State {
        var state = self.state
        if state == .preActive, let activation = activationDate, activation <= now { state = .active }
        if state == .active, let deactivation = deactivationDate, deactivation <= now { state = .deactivated }
        return state
    }
}

/// The attribute list's at-rest encoding: a Template-Attribute structure in TTLV.
enum AttributeBlob {
    static func encode(_ attributes: [Attribute]) -> [UInt8] {
        var w = TTLVWriter()
        TemplateAttribute(attributes).encode(tag: .templateAttribute, to: &w, EncodingContext())
        return w.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> [Attribute] {
        do {
            let limits = Limits(maxMessageBytes: .max, maxDepth: 1 << 10, maxItems: .max)
            return try TemplateAttribute(ttlv: bytes, tag: .templateAttribute, context: DecodingContext(limits: limits)).attributes
        } catch {
            throw StoreError(.generalFailure, "stored attributes are corrupt: \(error)")
        }
    }
}
