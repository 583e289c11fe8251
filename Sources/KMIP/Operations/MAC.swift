/// MAC (KMIP 1.4 §4.33; since 1.2). Multi-part fields since 1.3.
public struct MACRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    public var cryptographicParameters: CryptographicParameters?
    /// REQUIRED for single-part.
    public var data: ByteString?
    public var correlationValue: ByteString?
    public var initIndicator: Bool?
    public var finalIndicator: Bool?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.cryptographicParameters, \.cryptographicParameters),
        .optional(.data, \.data),
        .optional(.correlationValue, \.correlationValue, since: .v1_3),
        .optional(.initIndicator, \.initIndicator, since: .v1_3),
        .optional(.finalIndicator, \.finalIndicator, since: .v1_3),
    ]
}

public struct MACResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    /// REQUIRED for single-part.
    public var macData: ByteString?
    public var correlationValue: ByteString?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.macData, \.macData),
        .optional(.correlationValue, \.correlationValue, since: .v1_3),
    ]
}
