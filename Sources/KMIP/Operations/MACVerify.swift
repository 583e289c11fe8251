/// MAC Verify (KMIP 1.4 §4.34; since 1.2). Multi-part fields since 1.3.
public struct MACVerifyRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    public var cryptographicParameters: CryptographicParameters?
    public var data: ByteString?
    /// REQUIRED for single-part.
    public var macData: ByteString?
    public var correlationValue: ByteString?
    public var initIndicator: Bool?
    public var finalIndicator: Bool?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.cryptographicParameters, \.cryptographicParameters),
        .optional(.data, \.data),
        .optional(.macData, \.macData),
        .optional(.correlationValue, \.correlationValue, since: .v1_3),
        .optional(.initIndicator, \.initIndicator, since: .v1_3),
        .optional(.finalIndicator, \.finalIndicator, since: .v1_3),
    ]
}

public struct MACVerifyResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    /// The spec marks it REQUIRED, but multi-part responses before the final part carry none
    /// (OASIS TC-STREAM-* test cases), so decoding accepts its absence.
    public var validityIndicator: ValidityIndicator?
    public var correlationValue: ByteString?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.validityIndicator, \.validityIndicator),
        .optional(.correlationValue, \.correlationValue, since: .v1_3),
    ]
}
