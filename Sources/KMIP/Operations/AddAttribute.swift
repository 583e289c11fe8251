/// Add Attribute (KMIP 1.4 §4.14).
public struct AddAttributeRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    public var attribute = Attribute()
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .required(.attribute, \.attribute),
    ]
}

public struct AddAttributeResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    /// The attribute as added (with its index).
    public var attribute = Attribute()
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .required(.attribute, \.attribute),
    ]
}
