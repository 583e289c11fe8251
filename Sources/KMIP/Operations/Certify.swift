/// Certify (KMIP 1.4 §4.7): a certificate for a public key.
public struct CertifyRequestPayload: KMIPStruct, Hashable {
    /// The public key; omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    /// REQUIRED when Certificate Request is present.
    public var certificateRequestType: CertificateRequestType?
    public var certificateRequest: ByteString?
    public var templateAttribute: TemplateAttribute?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.certificateRequestType, \.certificateRequestType),
        .optional(.certificateRequest, \.certificateRequest),
        .optional(.templateAttribute, \.templateAttribute),
    ]
}

public struct CertifyResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public var templateAttribute: TemplateAttribute?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.templateAttribute, \.templateAttribute),
    ]
}
