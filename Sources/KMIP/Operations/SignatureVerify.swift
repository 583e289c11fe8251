/// Signature Verify (KMIP 1.4 §4.32; since 1.2). Multi-part fields since 1.3, Digested Data since 1.4.
public struct SignatureVerifyRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    public var cryptographicParameters: CryptographicParameters?
    public var data: ByteString?
    public var digestedData: ByteString?
    /// REQUIRED for single-part.
    public var signatureData: ByteString?
    public var correlationValue: ByteString?
    public var initIndicator: Bool?
    public var finalIndicator: Bool?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.cryptographicParameters, \.cryptographicParameters),
        .optional(.data, \.data),
        .optional(.digestedData, \.digestedData, since: .v1_4),
        .optional(.signatureData, \.signatureData),
        .optional(.correlationValue, \.correlationValue, since: .v1_3),
        .optional(.initIndicator, \.initIndicator, since: .v1_3),
        .optional(.finalIndicator, \.finalIndicator, since: .v1_3),
    ]
}

public struct SignatureVerifyResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    /// The spec marks it REQUIRED, but multi-part responses before the final part carry none
    /// (OASIS TC-STREAM-* test cases), so decoding accepts its absence.
    public var validityIndicator: ValidityIndicator?
    /// Data recovered from the signature, where the algorithm allows it.
    public var data: ByteString?
    public var correlationValue: ByteString?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.validityIndicator, \.validityIndicator),
        .optional(.data, \.data),
        .optional(.correlationValue, \.correlationValue, since: .v1_3),
    ]
}
