/// Activate (KMIP 1.4 §4.19).
public struct ActivateRequestPayload: KMIPStruct, Hashable {
    /// The object to be activated; omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
    ]
}

public struct ActivateResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
    ]
}
