/// RNG Seed (KMIP 1.4 §4.36; since 1.2).
public struct RNGSeedRequestPayload: KMIPStruct, Hashable {
    public var data = ByteString([])
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.data, \.data),
    ]
}

public struct RNGSeedResponsePayload: KMIPStruct, Hashable {
    /// Bytes of seed used.
    public var dataLength: Int32 = 0
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.dataLength, \.dataLength),
    ]
}
