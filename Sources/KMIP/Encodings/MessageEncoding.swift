/// How a KMIP message travels in an HTTPS body (KMIP Additional Message Encodings: the HTTPS,
/// JSON and XML profiles): TTLV bytes, the JSON encoding or the XML encoding, told apart by the
/// body's Content-Type. Every conversion goes through TTLV, the one form the engine reads.
public enum MessageEncoding: String, Sendable, Hashable, CaseIterable {
    case ttlv, json, xml

    /// Bounds for decoding a response (the server's own output, which a Locate may make large);
    /// still bounded, so a hostile server cannot make a client allocate without limit.
    public static let responseLimits = Limits(maxMessageBytes: 1 << 30, maxDepth: 64, maxItems: 1 << 24, maxBatchItems: 1 << 16)

    /// The Content-Type a body in this encoding is sent with.
    public var contentType: String {
        switch self {
        case .ttlv: "application/octet-stream"
        case .json: "application/json"
        case .xml: "text/xml"
        }
    }

    /// The encoding of a body with this Content-Type (parameters such as `charset` ignored;
    /// `application/xml` accepted beside `text/xml`); nil for any other type.
    public init?(contentType: String) {
        let media = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        switch String(media.filter { $0 != " " && $0 != "\t" }).lowercased() {
        case "application/octet-stream": self = .ttlv
        case "application/json": self = .json
        case "text/xml", "application/xml": self = .xml
        default: return nil
        }
    }

    /// Largest body accepted in this encoding for messages of at most `limits.maxMessageBytes`
    /// TTLV bytes: the text encodings are wordier, so they may be four times as long.
    public func maxBodyBytes(_ limits: Limits) -> Int {
        self == .ttlv ? limits.maxMessageBytes : limits.maxMessageBytes * 4
    }

    /// The TTLV message a body holds. Throws ``TTLVError`` when the body is not one whole
    /// message within `limits` (TTLV: its header's length must match the body).
    public func ttlv(fromBody body: [UInt8], limits: Limits) throws -> [UInt8] {
        guard body.count <= maxBodyBytes(limits) else {
            throw TTLVError(.messageTooLarge, "the body is larger than \(maxBodyBytes(limits)) bytes")
        }
        let message: [UInt8]
        switch self {
        case .ttlv:
            guard body.count >= 8 else { throw TTLVError(.truncated, "the body is shorter than a TTLV header") }
            let length = try body.withUnsafeBytes { try TTLVReader.frameLength(header: UnsafeRawBufferPointer(rebasing: $0[0..<8]), limits: limits) }
            guard length == body.count else {
                throw TTLVError(length > body.count ? .truncated : .trailingBytes,
                                "the body holds \(body.count) bytes, its message \(length)")
            }
            return body
        case .json, .xml:
            let text = try Self.text(body)
            do {
                let tree = self == .json
                    ? try KMIPJSON.tree(JSONValue.parse(text, maxDepth: limits.maxDepth),
                                        structure: { TTLV($0, .structure($1)) }, leaf: { TTLV($0.tag, try $0.value()) })
                    : try KMIPXML.decodeMessage(text, maxDepth: limits.maxDepth)
                message = tree.encoded()
            } catch let error as TTLVError {
                throw error
            } catch {
                throw TTLVError(.encoding, "the body is not a KMIP message in the \(rawValue.uppercased()) encoding: \(error)")
            }
        }
        guard message.count <= limits.maxMessageBytes else {
            throw TTLVError(.messageTooLarge, "the message is larger than \(limits.maxMessageBytes) bytes")
        }
        return message
    }

    /// The body of a TTLV message in this encoding.
    public func body(fromTTLV message: [UInt8], limits: Limits) throws -> [UInt8] {
        switch self {
        case .ttlv: return message
        case .json: return Array(KMIPJSON.encode(try TTLV(decoding: message, limits: limits)).utf8)
        case .xml: return Array((KMIPXML.encode(try TTLV(decoding: message, limits: limits)) + "\n").utf8)
        }
    }

    private static func text(_ body: [UInt8]) throws -> String {
        guard let text = String(validating: body, as: UTF8.self) else {
            throw TTLVError(.invalidUTF8, "the body is not UTF-8 text")
        }
        return text
    }
}
