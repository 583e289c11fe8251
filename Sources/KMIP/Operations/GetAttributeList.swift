/// Get Attribute List (KMIP 1.4 §4.13): the names of an object's attributes.
public struct GetAttributeListRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
    ]
}

public struct GetAttributeListResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    /// One or more (REQUIRED).
    public var attributeNames: [String] = []
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .repeated(.attributeName, \.attributeNames),
    ]
}
