/// RNG Retrieve (KMIP 1.4 §4.35; since 1.2).
public struct RNGRetrieveRequestPayload: KMIPStruct, Hashable {
    /// Bytes of output wanted.
    public var dataLength: Int32 = 0
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.dataLength, \.dataLength),
    ]
}

public struct RNGRetrieveResponsePayload: KMIPStruct, Hashable {
    public var data = ByteString([])
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.data, \.data),
    ]
}
