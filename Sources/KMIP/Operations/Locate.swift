/// Locate (KMIP 1.4 §4.9): identifiers of the objects whose attributes match.
public struct LocateRequestPayload: KMIPStruct, Hashable {
    public var maximumItems: Int32?
    /// Matches to skip before the first one returned.
    public var offsetItems: Int32?
    /// Omitted: on-line objects only.
    public var storageStatusMask: StorageStatusMask?
    public var objectGroupMember: ObjectGroupMember?
    /// Every attribute a candidate must match.
    public var attributes: [Attribute] = []
    /// Not KMIP 1.x: FortiGate (FortiOS 7.4–7.6) wraps its Locate attributes in a Template-Attribute.
    /// Accepted on decode so that its attributes filter like the others; never written by clients here.
    public var templateAttribute: TemplateAttribute?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.maximumItems, \.maximumItems),
        .optional(.offsetItems, \.offsetItems, since: .v1_3),
        .optional(.storageStatusMask, \.storageStatusMask),
        .optional(.objectGroupMember, \.objectGroupMember, since: .v1_1),
        .repeated(.attribute, \.attributes),
        .optional(.templateAttribute, \.templateAttribute),
    ]
}

public struct LocateResponsePayload: KMIPStruct, Hashable {
    /// How many objects matched in all (a server may omit it).
    public var locatedItems: Int32?
    public var uniqueIdentifiers: [String] = []
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.locatedItems, \.locatedItems, since: .v1_3),
        .repeated(.uniqueIdentifier, \.uniqueIdentifiers),
    ]
}
