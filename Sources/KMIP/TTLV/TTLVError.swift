/// A message that could not be decoded or encoded. Names the byte offset and the tag where known.
public struct TTLVError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case truncated, trailingBytes, messageTooLarge, tooDeep, tooManyItems
        case invalidTag, invalidItemType, invalidLength, nonZeroPadding, invalidBoolean, invalidUTF8
        case unexpectedTag, unexpectedType, duplicateField, missingField, invalidValue, unknownEnumeration
        case versionMismatch, encoding
    }

    public var kind: Kind
    public var offset: Int?
    public var tag: Tag?
    public var detail: String

    public init(_ kind: Kind, offset: Int? = nil, tag: Tag? = nil, _ detail: String) {
        self.kind = kind; self.offset = offset; self.tag = tag; self.detail = detail
    }

    public var description: String {
        var s = detail
        if let tag { s += " (tag \(tag.xmlName) \(tag.hexString))" }
        if let offset { s += " at byte \(offset)" }
        return s
    }

    /// The KMIP Result Reason a server answers with when a request fails this way.
    public var resultReason: ResultReason {
        switch kind {
        case .messageTooLarge, .tooDeep, .tooManyItems, .truncated, .trailingBytes, .invalidTag, .invalidItemType,
             .invalidLength, .nonZeroPadding, .invalidBoolean, .invalidUTF8, .unexpectedTag, .duplicateField,
             .missingField, .encoding:
            .invalidMessage
        case .unexpectedType, .invalidValue, .unknownEnumeration:
            .invalidField
        case .versionMismatch:
            .operationNotSupported
        }
    }
}

/// A failure that maps to one KMIP Result Reason; the message text follows the server's format.
public struct KMIPError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: ResultReason
    public var message: String
    public init(_ reason: ResultReason, _ message: String) { self.reason = reason; self.message = message }
    public init(_ error: TTLVError) { self.init(error.resultReason, error.description) }
    /// `result reason: <Reason>; additional message: <text>`
    public var description: String { "result reason: \(reason.name ?? reason.description); additional message: \(message)" }
}
