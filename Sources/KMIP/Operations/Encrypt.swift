/// Encrypt (KMIP 1.4 §4.29; since 1.2). Multi-part (streaming) fields since 1.3, authenticated
/// encryption fields since 1.4.
public struct EncryptRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    /// Omitted: those of the key with the lowest Attribute Index.
    public var cryptographicParameters: CryptographicParameters?
    /// REQUIRED for single-part.
    public var data: ByteString?
    public var ivCounterNonce: ByteString?
    public var correlationValue: ByteString?
    public var initIndicator: Bool?
    public var finalIndicator: Bool?
    public var authenticatedEncryptionAdditionalData: ByteString?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.cryptographicParameters, \.cryptographicParameters),
        .optional(.data, \.data),
        .optional(.ivCounterNonce, \.ivCounterNonce),
        .optional(.correlationValue, \.correlationValue, since: .v1_3),
        .optional(.initIndicator, \.initIndicator, since: .v1_3),
        .optional(.finalIndicator, \.finalIndicator, since: .v1_3),
        .optional(.authenticatedEncryptionAdditionalData, \.authenticatedEncryptionAdditionalData, since: .v1_4),
    ]
}

public struct EncryptResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    /// REQUIRED for single-part.
    public var data: ByteString?
    /// The IV the server generated (Random IV requested and none supplied).
    public var ivCounterNonce: ByteString?
    public var correlationValue: ByteString?
    /// On completion of an authenticated encryption.
    public var authenticatedEncryptionTag: ByteString?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.data, \.data),
        .optional(.ivCounterNonce, \.ivCounterNonce),
        .optional(.correlationValue, \.correlationValue, since: .v1_3),
        .optional(.authenticatedEncryptionTag, \.authenticatedEncryptionTag, since: .v1_4),
    ]
}
