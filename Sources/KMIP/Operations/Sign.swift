/// Sign (KMIP 1.4 §4.31; since 1.2). Multi-part fields since 1.3, Digested Data since 1.4.
public struct SignRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    public var cryptographicParameters: CryptographicParameters?
    /// REQUIRED for single-part unless Digested Data is supplied.
    public var data: ByteString?
    public var digestedData: ByteString?
    public var correlationValue: ByteString?
    public var initIndicator: Bool?
    public var finalIndicator: Bool?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.cryptographicParameters, \.cryptographicParameters),
        .optional(.data, \.data),
        .optional(.digestedData, \.digestedData, since: .v1_4),
        .optional(.correlationValue, \.correlationValue, since: .v1_3),
        .optional(.initIndicator, \.initIndicator, since: .v1_3),
        .optional(.finalIndicator, \.finalIndicator, since: .v1_3),
    ]
}

public struct SignResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    /// REQUIRED for single-part.
    public var signatureData: ByteString?
    public var correlationValue: ByteString?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.signatureData, \.signatureData),
        .optional(.correlationValue, \.correlationValue, since: .v1_3),
    ]
}
