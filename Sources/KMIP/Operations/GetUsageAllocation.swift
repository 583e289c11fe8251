/// Get Usage Allocation (KMIP 1.4 §4.18).
public struct GetUsageAllocationRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    /// Usage Limits Units to allocate.
    public var usageLimitsCount: Int64 = 0
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .required(.usageLimitsCount, \.usageLimitsCount),
    ]
}

public struct GetUsageAllocationResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
    ]
}
