/// Obtain Lease (KMIP 1.4 §4.17).
public struct ObtainLeaseRequestPayload: KMIPStruct, Hashable {
    /// Omitted: the ID Placeholder.
    public var uniqueIdentifier: String?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
    ]
}

public struct ObtainLeaseResponsePayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public var leaseTime = Interval(seconds: 0)
    public var lastChangeDate = DateTime(secondsSince1970: 0)
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .required(.leaseTime, \.leaseTime),
        .required(.lastChangeDate, \.lastChangeDate),
    ]
}
