/// Poll (KMIP 1.4 §4.28): the status of an outstanding asynchronous operation.
public struct PollRequestPayload: KMIPStruct, Hashable {
    public var asynchronousCorrelationValue = ByteString([])
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.asynchronousCorrelationValue, \.asynchronousCorrelationValue),
    ]
}

/// The response to Poll is the polled operation's own response payload (none while it is Pending).
/// The Poll message does not name that operation, so its items are kept as they came, in order;
/// whoever knows the operation types them with `payload(as:)`.
public struct PollResponsePayload: KMIPStruct, Hashable {
    public var items: [TTLV] = []
    public init() {}
    public init(_ payload: some TTLVCodable, context: EncodingContext = EncodingContext()) {
        var w = TTLVWriter()
        payload.encode(tag: .responsePayload, to: &w, context)
        // Written just now by this library, so well-formed.
        let tree = try! TTLV(decoding: w.bytes, limits: Limits(maxMessageBytes: .max, maxDepth: 1 << 10, maxItems: .max))
        self.items = tree.children
    }

    /// No field list: any items are accepted, because their shape is the polled operation's.
    public static let fields: [Field<Self>] = []

    public static func decode(_ e: TTLVElement, _ c: inout DecodingContext) throws -> Self {
        try e.expect(.structure)
        var value = Self()
        var cursor = e.children
        while let child = cursor.next() { value.items.append(TTLV(child)) }
        return value
    }

    public func encode(tag: Tag, to w: inout TTLVWriter, _ c: EncodingContext) {
        let mark = w.beginStructure(tag)
        for item in items { w.write(item) }
        w.endStructure(mark)
    }

    /// The items decoded as `operation`'s response payload.
    public func payload(as operation: Operation, context: DecodingContext = DecodingContext()) throws -> any TTLVCodable {
        let tree = TTLV(.responsePayload, .structure(items))
        guard let type = OperationRegistry.responsePayloads[operation] else { return tree }
        return try Self.decode(tree.encoded(), as: type, context)
    }

    private static func decode<P: KMIPStruct>(_ bytes: [UInt8], as: P.Type, _ context: DecodingContext) throws -> P {
        try P(ttlv: bytes, tag: .responsePayload, context: context)
    }
}
