/// Put (KMIP 1.4 §5.2): server-to-client push of a Managed Object.
public struct PutRequestPayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public var putFunction = PutFunction.new
    /// Present when Put Function is Replace.
    public var replacedUniqueIdentifier: String?
    /// The object pushed (REQUIRED by the spec; recognised by its own tag).
    public var object: ManagedObject?
    public var attributes: [Attribute] = []
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .required(.putFunction, \.putFunction),
        .optional(.replacedUniqueIdentifier, \.replacedUniqueIdentifier),
    ] + ManagedObject.fields(\.object) + [
        .repeated(.attribute, \.attributes),
    ]
}

/// The spec defines no response payload fields for Put.
public struct PutResponsePayload: KMIPStruct, Hashable {
    public init() {}
    public static let fields: [Field<Self>] = []
}
