/// Revoke (KMIP 1.4 §4.20).
public struct RevokeRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    public var revocationReason = RevocationReason()
    /// Only for the Key Compromise and CA Compromise reasons.
    public var compromiseOccurrenceDate: DateTime?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .required(.revocationReason, \.revocationReason),
        .optional(.compromiseOccurrenceDate, \.compromiseOccurrenceDate),
    ]
}

public struct RevokeResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
    ]
}
