/// Delete Attribute (KMIP 1.4 §4.16).
public struct DeleteAttributeRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    public var attributeName = ""
    /// Omitted: index 0.
    public var attributeIndex: Int32?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .required(.attributeName, \.attributeName),
        .optional(.attributeIndex, \.attributeIndex),
    ]
}

public struct DeleteAttributeResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    /// The attribute that was deleted.
    public var attribute = Attribute()
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .required(.attribute, \.attribute),
    ]
}
