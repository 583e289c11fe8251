/// Which payload type each operation's request and response carry.
public enum OperationRegistry {
    /// Request payload types of every KMIP 1.4 operation.
    public static let requestPayloads: [Operation: any KMIPStruct.Type] = [:]

    /// Response payload types of every KMIP 1.4 operation.
    public static let responsePayloads: [Operation: any KMIPStruct.Type] = [:]

    /// Decodes a request payload as its operation's type; an operation without one (2.x,
    /// extensions) keeps the payload as generic TTLV.
    static func decodeRequestPayload(_ op: Operation, _ e: TTLVElement, _ c: inout DecodingContext) throws -> any TTLVCodable {
        guard let type = requestPayloads[op] else { return TTLV(e) }
        return try type.decode(e, &c)
    }

    static func decodeResponsePayload(_ op: Operation?, _ e: TTLVElement, _ c: inout DecodingContext) throws -> any TTLVCodable {
        guard let op, let type = responsePayloads[op] else { return TTLV(e) }
        return try type.decode(e, &c)
    }
}
