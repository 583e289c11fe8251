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
        .optional(.uniqueIdentifier, \.uniqueIdentifier, since: .v1_4),
        .optional(.keyFormatType, \.keyFormatType, since: .v1_4),
        .optional(.keyWrapType, \.keyWrapType, since: .v1_4),
        .optional(.keyCompressionType, \.keyCompressionType, since: .v1_4),
        .optional(.keyWrappingSpecification, \.keyWrappingSpecification, since: .v1_4),
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
        .required(.objectType, \.objectType, since: .v1_4),
        .required(.uniqueIdentifier, \.uniqueIdentifier, since: .v1_4),
        .repeated(.attribute, \.attributes, since: .v1_4),
    ] + ManagedObject.fields(\.object)
}
