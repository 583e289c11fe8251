/// Re-certify (KMIP 1.4 §4.8): renews an existing certificate.
public struct ReCertifyRequestPayload: KMIPStruct, Hashable {
    /// The certificate being renewed; omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    public var certificateRequestType: CertificateRequestType?
    public var certificateRequest: ByteString?
    /// Initial Date to Activation Date of the new certificate.
    public var offset: Interval?
    public var templateAttribute: TemplateAttribute?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.certificateRequestType, \.certificateRequestType),
        .optional(.certificateRequest, \.certificateRequest),
        .optional(.offset, \.offset),
        .optional(.templateAttribute, \.templateAttribute),
    ]
}

public struct ReCertifyResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public var templateAttribute: TemplateAttribute?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.templateAttribute, \.templateAttribute),
    ]
}
