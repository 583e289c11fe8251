/// Export (KMIP 1.4 §4.40; since 1.4): an object together with all its attributes.
public struct ExportRequestPayload: KMIPStruct, Hashable {
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
        .optional(.keyWrapType, \.keyWrapType),
        .optional(.keyCompressionType, \.keyCompressionType),
        .optional(.keyWrappingSpecification, \.keyWrappingSpecification),
    ]
}

public struct ExportResponsePayload: KMIPStruct, Hashable {
    public var objectType = ObjectType.symmetricKey
    public var uniqueIdentifier = ""
    public var attributes: [Attribute] = []
    /// The object, as Get returns it (REQUIRED by the spec; recognised by its own tag).
    public var object: ManagedObject?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.objectType, \.objectType),
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .repeated(.attribute, \.attributes),
    ] + ManagedObject.fields(\.object)
}
