/// Re-key (KMIP 1.4 §4.4): a replacement for an existing symmetric key.
public struct ReKeyRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    /// Initialization Date to Activation Date of the replacement key.
    public var offset: Interval?
    public var templateAttribute: TemplateAttribute?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.offset, \.offset),
        .optional(.templateAttribute, \.templateAttribute),
    ]
}

public struct ReKeyResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public var templateAttribute: TemplateAttribute?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.templateAttribute, \.templateAttribute),
    ]
}
