/// Create (KMIP 1.4 §4.1): the server generates a new Managed Cryptographic Object.
public struct CreateRequestPayload: KMIPStruct, Hashable {
    public var objectType = ObjectType.symmetricKey
    public var templateAttribute = TemplateAttribute()
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.objectType, \.objectType),
        .required(.templateAttribute, \.templateAttribute),
    ]
}

public struct CreateResponsePayload: KMIPStruct, Hashable {
    public var objectType = ObjectType.symmetricKey
    public var uniqueIdentifier = ""
    /// Attributes the server set implicitly.
    public var templateAttribute: TemplateAttribute?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.objectType, \.objectType),
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.templateAttribute, \.templateAttribute),
    ]
}
