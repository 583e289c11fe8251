/// Get Attributes (KMIP 1.4 §4.12).
public struct GetAttributesRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    /// None: every attribute of the object.
    public var attributeNames: [String] = []
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .repeated(.attributeName, \.attributeNames),
    ]
}

public struct GetAttributesResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public var attributes: [Attribute] = []
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .repeated(.attribute, \.attributes),
    ]
}
