/// Check (KMIP 1.4 §4.10): whether an object could be used as the client intends.
public struct CheckRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    public var usageLimitsCount: Int64?
    public var cryptographicUsageMask: CryptographicUsageMask?
    public var leaseTime: Interval?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.usageLimitsCount, \.usageLimitsCount),
        .optional(.cryptographicUsageMask, \.cryptographicUsageMask),
        .optional(.leaseTime, \.leaseTime),
    ]
}

/// The optional fields are returned only for the values the server's policy rejected.
public struct CheckResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public var usageLimitsCount: Int64?
    public var cryptographicUsageMask: CryptographicUsageMask?
    public var leaseTime: Interval?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.usageLimitsCount, \.usageLimitsCount),
        .optional(.cryptographicUsageMask, \.cryptographicUsageMask),
        .optional(.leaseTime, \.leaseTime),
    ]
}
