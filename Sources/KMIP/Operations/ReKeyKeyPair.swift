/// Re-key Key Pair (KMIP 1.4 §4.5; since 1.1).
public struct ReKeyKeyPairRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var privateKeyUniqueIdentifier: String?
    public var offset: Interval?
    public var commonTemplateAttribute: TemplateAttribute?
    public var privateKeyTemplateAttribute: TemplateAttribute?
    public var publicKeyTemplateAttribute: TemplateAttribute?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.privateKeyUniqueIdentifier, \.privateKeyUniqueIdentifier),
        .optional(.offset, \.offset),
        .optional(.commonTemplateAttribute, \.commonTemplateAttribute),
        .optional(.privateKeyTemplateAttribute, \.privateKeyTemplateAttribute),
        .optional(.publicKeyTemplateAttribute, \.publicKeyTemplateAttribute),
    ]
}

public struct ReKeyKeyPairResponsePayload: KMIPStruct, Hashable {
    public var privateKeyUniqueIdentifier = ""
    public var publicKeyUniqueIdentifier = ""
    public var privateKeyTemplateAttribute: TemplateAttribute?
    public var publicKeyTemplateAttribute: TemplateAttribute?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.privateKeyUniqueIdentifier, \.privateKeyUniqueIdentifier),
        .required(.publicKeyUniqueIdentifier, \.publicKeyUniqueIdentifier),
        .optional(.privateKeyTemplateAttribute, \.privateKeyTemplateAttribute),
        .optional(.publicKeyTemplateAttribute, \.publicKeyTemplateAttribute),
    ]
}
