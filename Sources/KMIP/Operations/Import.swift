/// Import (KMIP 1.4 §4.41; since 1.4): stores an object under the client's Unique Identifier with
/// exactly the attributes supplied. (The 1.4 table titles this "Export Request Payload"; it is Import's.)
public struct ImportRequestPayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    /// True: replace an existing object with this identifier; otherwise that is an error.
    public var replaceExisting: Bool?
    /// Not Wrapped: the server unwraps the object before storing it.
    public var keyWrapType: KeyWrapType?
    public var attributes: [Attribute] = []
    /// The object, as Register takes it (REQUIRED by the spec; recognised by its own tag).
    public var object: ManagedObject?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.replaceExisting, \.replaceExisting),
        .optional(.keyWrapType, \.keyWrapType),
        .repeated(.attribute, \.attributes),
    ] + ManagedObject.fields(\.object)
}

public struct ImportResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
    ]
}
