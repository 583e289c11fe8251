/// Cancel (KMIP 1.4 §4.27): cancels an outstanding asynchronous operation.
public struct CancelRequestPayload: KMIPStruct, Hashable {
    public var asynchronousCorrelationValue = ByteString([])
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.asynchronousCorrelationValue, \.asynchronousCorrelationValue),
    ]
}

public struct CancelResponsePayload: KMIPStruct, Hashable {
    public var asynchronousCorrelationValue = ByteString([])
    public var cancellationResult = CancellationResult.canceled
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.asynchronousCorrelationValue, \.asynchronousCorrelationValue),
        .required(.cancellationResult, \.cancellationResult),
    ]
}
