/// Register (KMIP 1.4 §4.3): the client supplies the object.
public struct RegisterRequestPayload: KMIPStruct, Hashable {
    public var objectType = ObjectType.symmetricKey
    public var templateAttribute = TemplateAttribute()
    /// The object being registered (REQUIRED by the spec; recognised by its own tag).
    public var object: ManagedObject?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.objectType, \.objectType),
        .required(.templateAttribute, \.templateAttribute),
    ] + ManagedObject.fields(\.object)
}

public struct RegisterResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public var templateAttribute: TemplateAttribute?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.templateAttribute, \.templateAttribute),
    ]
}
