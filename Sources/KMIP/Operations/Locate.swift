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
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.maximumItems, \.maximumItems),
        .optional(.offsetItems, \.offsetItems, since: .v1_3),
        .optional(.storageStatusMask, \.storageStatusMask),
        .optional(.objectGroupMember, \.objectGroupMember, since: .v1_1),
        .repeated(.attribute, \.attributes),
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
