/// Hash (KMIP 1.4 §4.37; since 1.2). Multi-part fields since 1.3.
public struct HashRequestPayload: KMIPStruct, Hashable {
    /// Names the Hashing Algorithm.
    public var cryptographicParameters = CryptographicParameters()
    /// REQUIRED for single-part.
    public var data: ByteString?
    public var correlationValue: ByteString?
    public var initIndicator: Bool?
    public var finalIndicator: Bool?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.cryptographicParameters, \.cryptographicParameters),
        .optional(.data, \.data),
        .optional(.correlationValue, \.correlationValue, since: .v1_3),
        .optional(.initIndicator, \.initIndicator, since: .v1_3),
        .optional(.finalIndicator, \.finalIndicator, since: .v1_3),
    ]
}

public struct HashResponsePayload: KMIPStruct, Hashable {
    /// REQUIRED for single-part.
    public var data: ByteString?
    public var correlationValue: ByteString?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.data, \.data),
        .optional(.correlationValue, \.correlationValue, since: .v1_3),
    ]
}
