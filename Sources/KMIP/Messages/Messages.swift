/// Request Message: a header and one or more batch items.
public struct RequestMessage: KMIPStruct {
    public var requestHeader = RequestHeader()
    public var batchItems: [RequestBatchItem] = []

    public init() {}
    public init(header: RequestHeader, batchItems: [RequestBatchItem]) {
        self.requestHeader = header
        self.batchItems = batchItems
    }

    public static let fields: [Field<Self>] = [
        .header(.requestHeader, \.requestHeader),
        .batchItems(\.batchItems),
    ]

    /// Decodes a Request Message; fields follow the version its header names.
    public init(ttlv bytes: [UInt8], limits: Limits = .default) throws {
        try self.init(ttlv: bytes, tag: .requestMessage, context: DecodingContext(limits: limits))
    }

    /// Decodes a Request Message read in place.
    public init(ttlvBytes raw: UnsafeRawBufferPointer, limits: Limits = .default) throws {
        try self.init(ttlvBytes: raw, tag: .requestMessage, context: DecodingContext(limits: limits))
    }

    /// The TTLV encoding in the version of this message's header.
    public func encoded() -> [UInt8] {
        var w = TTLVWriter()
        encode(tag: .requestMessage, to: &w, EncodingContext(version: requestHeader.protocolVersion))
        return w.bytes
    }
}

/// Response Message: a header and one batch item per request batch item.
public struct ResponseMessage: KMIPStruct {
    public var responseHeader = ResponseHeader()
    public var batchItems: [ResponseBatchItem] = []

    public init() {}
    public init(header: ResponseHeader, batchItems: [ResponseBatchItem]) {
        self.responseHeader = header
        self.batchItems = batchItems
    }

    public static let fields: [Field<Self>] = [
        .header(.responseHeader, \.responseHeader),
        .batchItems(\.batchItems),
    ]

    public init(ttlv bytes: [UInt8], limits: Limits = .default) throws {
        try self.init(ttlv: bytes, tag: .responseMessage, context: DecodingContext(limits: limits))
    }

    public func encoded() -> [UInt8] {
        var w = TTLVWriter()
        encode(tag: .responseMessage, to: &w, EncodingContext(version: responseHeader.protocolVersion))
        return w.bytes
    }
}

/// Request Batch Item. The payload's type follows the Operation before it.
public struct RequestBatchItem: KMIPStruct {
    public var operation = Operation.create
    public var uniqueBatchItemID: ByteString?
    /// A typed `…RequestPayload` for every operation of KMIP 1.4; a `TTLV` for any other.
    public var requestPayload: (any TTLVCodable)?
    public var messageExtension: MessageExtension?

    public init() {}
    public init(operation: Operation, uniqueBatchItemID: ByteString? = nil, payload: (any TTLVCodable)?) {
        self.operation = operation
        self.uniqueBatchItemID = uniqueBatchItemID
        self.requestPayload = payload
    }

    public static let fields: [Field<Self>] = [
        .required(.operation, \.operation),
        .optional(.uniqueBatchItemID, \.uniqueBatchItemID),
        .custom(.requestPayload, .required, decode: { root, e, c in
            root.requestPayload = try OperationRegistry.decodeRequestPayload(root.operation, e, &c)
        }, encode: { root, w, c in root.requestPayload?.encode(tag: .requestPayload, to: &w, c) }),
        .optional(.messageExtension, \.messageExtension),
    ]
}

/// Response Batch Item.
public struct ResponseBatchItem: KMIPStruct {
    public var operation: Operation?
    public var uniqueBatchItemID: ByteString?
    public var resultStatus = ResultStatus.success
    public var resultReason: ResultReason?
    public var resultMessage: String?
    public var asynchronousCorrelationValue: ByteString?
    /// A typed `…ResponsePayload` for every operation of KMIP 1.4; a `TTLV` for any other.
    public var responsePayload: (any TTLVCodable)?
    public var messageExtension: MessageExtension?

    public init() {}
    public init(operation: Operation?, uniqueBatchItemID: ByteString? = nil, payload: (any TTLVCodable)?) {
        self.operation = operation
        self.uniqueBatchItemID = uniqueBatchItemID
        self.responsePayload = payload
    }

    /// A failed item: `result reason: <Reason>; additional message: <text>` style errors keep the text in Result Message.
    public init(operation: Operation?, uniqueBatchItemID: ByteString? = nil, error: KMIPError) {
        self.operation = operation
        self.uniqueBatchItemID = uniqueBatchItemID
        self.resultStatus = .operationFailed
        self.resultReason = error.reason
        self.resultMessage = error.description
    }

    public static let fields: [Field<Self>] = [
        .optional(.operation, \.operation),
        .optional(.uniqueBatchItemID, \.uniqueBatchItemID),
        .required(.resultStatus, \.resultStatus),
        .optional(.resultReason, \.resultReason),
        .optional(.resultMessage, \.resultMessage),
        .optional(.asynchronousCorrelationValue, \.asynchronousCorrelationValue),
        .custom(.responsePayload, .optional, decode: { root, e, c in
            root.responsePayload = try OperationRegistry.decodeResponsePayload(root.operation, e, &c)
        }, encode: { root, w, c in root.responsePayload?.encode(tag: .responsePayload, to: &w, c) }),
        .optional(.messageExtension, \.messageExtension),
    ]
}

/// A header of either message.
protocol MessageHeader: KMIPStruct {
    var protocolVersion: ProtocolVersion { get }
}

extension RequestHeader: MessageHeader {}
extension ResponseHeader: MessageHeader {}

extension Field {
    /// The message header: once read, the rest of the message is read in the version it names.
    static func header<H: MessageHeader>(_ tag: Tag, _ kp: WritableKeyPath<Root, H> & Sendable) -> Field {
        let p = Property(kp)
        return .custom(tag, .required, decode: { root, e, c in
            let header = try H.decode(e, &c)
            c.version = header.protocolVersion
            p.write(&root, header)
        }, encode: { root, w, c in p.read(root) { $0.encode(tag: tag, to: &w, c) } })
    }

    /// The batch items, at most `Limits.maxBatchItems` of them.
    static func batchItems<Item: KMIPStruct>(_ kp: WritableKeyPath<Root, [Item]> & Sendable) -> Field {
        let p = Property(kp)
        return .custom(.batchItem, .repeated, decode: { root, e, c in
            guard p.read(root, { $0.count }) < c.limits.maxBatchItems else {
                throw TTLVError(.tooManyItems, offset: e.offset, tag: e.tag, "more than \(c.limits.maxBatchItems) batch items")
            }
            let item = try Item.decode(e, &c)
            p.modify(&root) { $0.append(item) }
        }, encode: { root, w, c in p.read(root) { for b in $0 { b.encode(tag: .batchItem, to: &w, c) } } })
    }
}
