/// Validate (KMIP 1.4 §4.24): whether a certificate chain is valid.
public struct ValidateRequestPayload: KMIPStruct, Hashable {
    public var certificates: [Certificate] = []
    /// Certificate objects known to the server.
    public var uniqueIdentifiers: [String] = []
    /// Omitted: now.
    public var validityDate: DateTime?
    public init() {}
    public static let fields: [Field<Self>] = [
        .repeated(.certificate, \.certificates),
        .repeated(.uniqueIdentifier, \.uniqueIdentifiers),
        .optional(.validityDate, \.validityDate),
    ]
}

public struct ValidateResponsePayload: KMIPStruct, Hashable {
    public var validityIndicator = ValidityIndicator.unknown
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.validityIndicator, \.validityIndicator),
    ]
}
