/// Notify (KMIP 1.4 §5.1): server-to-client message about changed attributes.
public struct NotifyRequestPayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    /// One or more; a deleted attribute comes without its Attribute Value.
    public var attributes: [Attribute] = []
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .repeated(.attribute, \.attributes),
    ]
}

/// The spec defines no response payload fields for Notify.
public struct NotifyResponsePayload: KMIPStruct, Hashable {
    public init() {}
    public static let fields: [Field<Self>] = []
}
