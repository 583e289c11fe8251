/// Modify Attribute (KMIP 1.4 §4.15).
public struct ModifyAttributeRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    /// Name, optional index, and the new value.
    public var attribute = Attribute()
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .required(.attribute, \.attribute),
    ]
}

public struct ModifyAttributeResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    /// The attribute with its new value.
    public var attribute = Attribute()
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .required(.attribute, \.attribute),
    ]
}
