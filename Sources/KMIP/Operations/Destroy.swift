/// Destroy (KMIP 1.4 §4.21).
public struct DestroyRequestPayload: KMIPStruct, Hashable {
    /// The object to be destroyed; omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
    ]
}

public struct DestroyResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
    ]
}
