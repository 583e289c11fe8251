/// Get (KMIP 1.4 §4.11): returns a Managed Object.
public struct GetRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    public var keyFormatType: KeyFormatType?
    public var keyWrapType: KeyWrapType?
    public var keyCompressionType: KeyCompressionType?
    public var keyWrappingSpecification: KeyWrappingSpecification?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.keyFormatType, \.keyFormatType),
        .optional(.keyWrapType, \.keyWrapType, since: .v1_4),
        .optional(.keyCompressionType, \.keyCompressionType),
        .optional(.keyWrappingSpecification, \.keyWrappingSpecification),
    ]
}

public struct GetResponsePayload: KMIPStruct, Hashable {
    public var objectType = ObjectType.symmetricKey
    public var uniqueIdentifier = ""
    /// The object returned (REQUIRED by the spec; recognised by its own tag).
    public var object: ManagedObject?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.objectType, \.objectType),
        .required(.uniqueIdentifier, \.uniqueIdentifier),
    ] + ManagedObject.fields(\.object)
}
