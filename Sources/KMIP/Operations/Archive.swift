/// Archive (KMIP 1.4 §4.22).
public struct ArchiveRequestPayload: KMIPStruct, Hashable {
    /// The object to be archived; omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
    ]
}

public struct ArchiveResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
    ]
}
