import KMIP
import KMIPStore

/// Attribute names as the spec spells them, for the attributes the engine itself reads or sets.
enum AttributeName {
    static let uniqueIdentifier = "Unique Identifier"
    static let name = "Name"
    static let objectType = "Object Type"
    static let cryptographicAlgorithm = "Cryptographic Algorithm"
    static let cryptographicLength = "Cryptographic Length"
    static let cryptographicParameters = "Cryptographic Parameters"
    static let cryptographicUsageMask = "Cryptographic Usage Mask"
    static let digest = "Digest"
    static let state = "State"
    static let initialDate = "Initial Date"
    static let activationDate = "Activation Date"
    static let processStartDate = "Process Start Date"
    static let protectStopDate = "Protect Stop Date"
    static let deactivationDate = "Deactivation Date"
    static let destroyDate = "Destroy Date"
    static let compromiseOccurrenceDate = "Compromise Occurrence Date"
    static let compromiseDate = "Compromise Date"
    static let revocationReason = "Revocation Reason"
    static let archiveDate = "Archive Date"
    static let objectGroup = "Object Group"
    static let fresh = "Fresh"
    static let link = "Link"
    static let lastChangeDate = "Last Change Date"
    static let originalCreationDate = "Original Creation Date"
    static let keyValuePresent = "Key Value Present"
    static let keyValueLocation = "Key Value Location"
    static let pkcs12FriendlyName = "PKCS#12 Friendly Name"
    static let leaseTime = "Lease Time"
    static let usageLimits = "Usage Limits"
    static let extractable = "Extractable"
    static let sensitive = "Sensitive"
    static let alwaysSensitive = "Always Sensitive"
    static let neverExtractable = "Never Extractable"
    static let randomNumberGenerator = "Random Number Generator"
    static let operationPolicyName = "Operation Policy Name"
    /// KMIP 1.x §3.18.2: the operation policy of every object created or registered without an
    /// Operation Policy Name. Strongroom's role checks are that policy.
    static let defaultOperationPolicy = "default"
}

extension Array where Element == Attribute {
    func first(_ name: String) -> Attribute? { first { $0.attributeName == name } }
    func all(_ name: String) -> [Attribute] { filter { $0.attributeName == name } }

    func date(_ name: String) -> DateTime? { first(name)?.value(as: DateTime.self) }
    /// The object a Link of `type` points at, if the object has one.
    func linked(_ type: LinkType) -> String? {
        lazy.filter { $0.attributeName == AttributeName.link }
            .compactMap { $0.value(as: Link.self) }.first { $0.linkType == type }?.linkedObjectIdentifier
    }

    /// Sets the single value of `name` (replacing any) keeping its position, else appends it.
    mutating func set(_ attribute: Attribute) {
        var attribute = attribute
        attribute.attributeIndex = nil
        if let i = firstIndex(where: { $0.attributeName == attribute.attributeName }) {
            self[i] = attribute
            removeAll { $0.attributeName == attribute.attributeName && $0 != attribute }
        } else {
            append(attribute)
        }
    }

    mutating func set(_ name: String, _ value: AttributeValue) { set(Attribute(name: name, value: value)) }
    mutating func remove(_ name: String) { removeAll { $0.attributeName == name } }
}

extension ManagedObjectRecord {
    /// A record whose indexed columns are derived from `attributes`, the one source of truth.
    init(scopeID: String, attributes: [Attribute], value: ManagedObject?) throws {
        guard let uid = attributes.first(AttributeName.uniqueIdentifier)?.value(as: String.self),
              let type = attributes.first(AttributeName.objectType)?.value(as: ObjectType.self),
              let initial = attributes.date(AttributeName.initialDate) else {
            throw KMIPError(.generalFailure, "object attributes lack identifier, type or initial date")
        }
        self.init(scopeID: scopeID, uniqueIdentifier: uid, objectType: type, initialDate: initial)
        self.keyMaterial = value.map(StoredObject.seal)
        self.setAttributes(attributes)
    }

    /// Replaces the attributes and re-derives every indexed column from them.
    mutating func setAttributes(_ attributes: [Attribute]) {
        self.attributes = attributes
        state = attributes.first(AttributeName.state)?.value(as: State.self) ?? .preActive
        cryptographicAlgorithm = attributes.first(AttributeName.cryptographicAlgorithm)?.value(as: CryptographicAlgorithm.self)
        cryptographicLength = attributes.first(AttributeName.cryptographicLength)?.value(as: Int32.self)
        activationDate = attributes.date(AttributeName.activationDate)
        deactivationDate = attributes.date(AttributeName.deactivationDate)
        destroyDate = attributes.date(AttributeName.destroyDate)
        objectGroup = attributes.first(AttributeName.objectGroup)?.value(as: String.self)
        names = attributes.all(AttributeName.name).compactMap { $0.value(as: Name.self)?.nameValue }
    }

    func value() throws -> ManagedObject? { try keyMaterial.map(StoredObject.open) }
}
