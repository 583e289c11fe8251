/// Derive Key (KMIP 1.4 §4.6).
public struct DeriveKeyRequestPayload: KMIPStruct, Hashable {
    public var objectType = ObjectType.symmetricKey
    /// The object or objects to derive from: one or more (REQUIRED).
    public var uniqueIdentifiers: [String] = []
    public var derivationMethod = DerivationMethod.pbkdf2
    public var derivationParameters = DerivationParameters()
    public var templateAttribute = TemplateAttribute()
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.objectType, \.objectType),
        .repeated(.uniqueIdentifier, \.uniqueIdentifiers),
        .required(.derivationMethod, \.derivationMethod),
        .required(.derivationParameters, \.derivationParameters),
        .required(.templateAttribute, \.templateAttribute),
    ]
}

public struct DeriveKeyResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public var templateAttribute: TemplateAttribute?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.templateAttribute, \.templateAttribute),
    ]
}

/// Derivation Parameters (KMIP 1.4 §4.6, Tables 182 and 183): one structure for every method;
/// Salt and Iteration Count are the PBKDF2 fields. Which fields a method needs is checked by its handler.
public struct DerivationParameters: KMIPStruct, Hashable {
    public var cryptographicParameters: CryptographicParameters?
    public var initializationVector: ByteString?
    public var derivationData: ByteString?
    public var salt: ByteString?
    public var iterationCount: Int32?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.cryptographicParameters, \.cryptographicParameters),
        .optional(.initializationVector, \.initializationVector),
        .optional(.derivationData, \.derivationData),
        .optional(.salt, \.salt),
        .optional(.iterationCount, \.iterationCount),
    ]
}
