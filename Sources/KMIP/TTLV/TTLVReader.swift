/// Validation and zero-copy walking of TTLV bytes.
///
/// `validate` checks the whole message once (header of every item, fixed lengths, zero padding,
/// Boolean values, UTF-8, depth, item count, exact total length); after it, `TTLVElement`s read values
/// straight from the caller's buffer without further checks or copies.
public enum TTLVReader {
    /// The total length of the item whose 8-byte header starts `header` (for framing a stream).
    /// Fails before anything is allocated when the length is over `limits.maxMessageBytes`.
    public static func frameLength(header: UnsafeRawBufferPointer, limits: Limits = .default) throws -> Int {
        guard header.count >= 8 else { throw TTLVError(.truncated, offset: 0, "need 8 header bytes, have \(header.count)") }
        let tag = Tag(UInt32(header[0]) << 16 | UInt32(header[1]) << 8 | UInt32(header[2]))
        guard header[3] == ItemType.structure.rawValue else {
            throw TTLVError(.invalidItemType, offset: 0, tag: tag, "a message must be a Structure, found item type 0x\(String(header[3], radix: 16))")
        }
        let length = Int(load32(header, 4))
        let total = 8 + length
        guard total <= limits.maxMessageBytes else {
            throw TTLVError(.messageTooLarge, offset: 0, tag: tag, "message of \(total) bytes is over the limit of \(limits.maxMessageBytes)")
        }
        return total
    }

    /// Validates that `bytes` holds exactly one well-formed TTLV item and returns it.
    public static func validate(_ bytes: UnsafeRawBufferPointer, limits: Limits = .default) throws -> TTLVElement {
        guard bytes.count <= limits.maxMessageBytes else {
            throw TTLVError(.messageTooLarge, offset: 0, "message of \(bytes.count) bytes is over the limit of \(limits.maxMessageBytes)")
        }
        var items = 0
        let end = try validateItem(bytes, at: 0, end: bytes.count, depth: 1, items: &items, limits: limits)
        guard end == bytes.count else {
            throw TTLVError(.trailingBytes, offset: end, "\(bytes.count - end) bytes after the end of the message")
        }
        return TTLVElement(bytes, offset: 0)
    }

    /// Validates the item at `offset` and returns the offset just past it (padding included).
    static func validateItem(_ b: UnsafeRawBufferPointer, at offset: Int, end: Int, depth: Int, items: inout Int,
                             limits: Limits) throws -> Int {
        guard end - offset >= 8 else {
            throw TTLVError(.truncated, offset: offset, "item header needs 8 bytes, \(end - offset) left")
        }
        let tag = Tag(UInt32(b[offset]) << 16 | UInt32(b[offset + 1]) << 8 | UInt32(b[offset + 2]))
        guard b[offset] == 0x42 || b[offset] == 0x54 else {
            throw TTLVError(.invalidTag, offset: offset, tag: tag, "tag outside the KMIP (0x42XXXX) and extension (0x54XXXX) ranges")
        }
        items += 1
        guard items <= limits.maxItems else {
            throw TTLVError(.tooManyItems, offset: offset, tag: tag, "more than \(limits.maxItems) items in one message")
        }
        guard let type = ItemType(rawValue: b[offset + 3]) else {
            throw TTLVError(.invalidItemType, offset: offset, tag: tag, "unknown item type 0x\(String(b[offset + 3], radix: 16))")
        }
        let length = Int(load32(b, offset + 4))
        let value = offset + 8
        let padded = (length + 7) & ~7
        guard padded <= end - value else {
            throw TTLVError(.truncated, offset: offset, tag: tag, "\(type.specName) of length \(length) runs past the end of its container (\(end - value) bytes left)")
        }
        if let fixed = type.fixedLength, fixed != length {
            throw TTLVError(.invalidLength, offset: offset, tag: tag, "\(type.specName) must have length \(fixed), has \(length)")
        }
        switch type {
        case .structure:
            guard depth <= limits.maxDepth else {
                throw TTLVError(.tooDeep, offset: offset, tag: tag, "structures nested deeper than \(limits.maxDepth)")
            }
            guard length % 8 == 0 else {
                throw TTLVError(.invalidLength, offset: offset, tag: tag, "Structure length \(length) is not a multiple of 8")
            }
            var p = value
            while p < value + length {
                p = try validateItem(b, at: p, end: value + length, depth: depth + 1, items: &items, limits: limits)
            }
        case .bigInteger:
            guard length > 0, length % 8 == 0 else {
                throw TTLVError(.invalidLength, offset: offset, tag: tag, "Big Integer length \(length) is not a positive multiple of 8")
            }
        case .boolean:
            guard load64(b, value) <= 1 else {
                throw TTLVError(.invalidBoolean, offset: offset, tag: tag, "Boolean value must be 0 or 1")
            }
        case .textString:
            if let bad = UTF8Check.firstInvalid(UnsafeRawBufferPointer(rebasing: b[value..<(value + length)])) {
                throw TTLVError(.invalidUTF8, offset: value + bad, tag: tag, "Text String is not valid UTF-8")
            }
        default: break
        }
        for i in (value + length)..<(value + padded) where b[i] != 0 {
            throw TTLVError(.nonZeroPadding, offset: i, tag: tag, "padding byte is not zero")
        }
        return value + padded
    }

    @inline(__always) static func load32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(bigEndian: b.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }
    @inline(__always) static func load64(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
        UInt64(bigEndian: b.loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }
}

extension ItemType {
    /// The value length every item of this type must have, where the spec fixes one.
    public var fixedLength: Int? {
        switch self {
        case .integer, .enumeration, .interval: 4
        case .longInteger, .boolean, .dateTime, .dateTimeExtended: 8
        default: nil
        }
    }
}

/// One item inside validated bytes. Reads values in place; valid only while the buffer is.
public struct TTLVElement {
    public let buffer: UnsafeRawBufferPointer
    /// Offset of the item's header in the message.
    public let offset: Int

    init(_ buffer: UnsafeRawBufferPointer, offset: Int) { self.buffer = buffer; self.offset = offset }

    public var tag: Tag {
        Tag(UInt32(buffer[offset]) << 16 | UInt32(buffer[offset + 1]) << 8 | UInt32(buffer[offset + 2]))
    }
    public var type: ItemType { ItemType(rawValue: buffer[offset + 3])! }
    public var length: Int { Int(TTLVReader.load32(buffer, offset + 4)) }
    var valueOffset: Int { offset + 8 }
    /// Offset just past this item, padding included.
    var end: Int { valueOffset + (length + 7) & ~7 }

    public var int32: Int32 { Int32(bitPattern: TTLVReader.load32(buffer, valueOffset)) }
    public var uint32: UInt32 { TTLVReader.load32(buffer, valueOffset) }
    public var int64: Int64 { Int64(bitPattern: TTLVReader.load64(buffer, valueOffset)) }
    public var bytes: [UInt8] { Array(valueBuffer) }
    public var valueBuffer: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buffer[valueOffset..<(valueOffset + length)])
    }
    /// The value of a Text String (validated as UTF-8 by `TTLVReader.validate`).
    public var string: String { String(decoding: valueBuffer, as: UTF8.self) }
    public var children: TTLVCursor { TTLVCursor(buffer, from: valueOffset, to: valueOffset + length) }
}

/// Iterates the items of a structure.
public struct TTLVCursor: IteratorProtocol {
    let buffer: UnsafeRawBufferPointer
    var position: Int
    let end: Int
    init(_ buffer: UnsafeRawBufferPointer, from: Int, to: Int) { self.buffer = buffer; position = from; end = to }

    public mutating func next() -> TTLVElement? {
        guard position < end else { return nil }
        let e = TTLVElement(buffer, offset: position)
        position = e.end
        return e
    }
}

/// A UTF-8 validator that allocates nothing (Text Strings are checked before a String is made).
enum UTF8Check {
    /// The offset of the first byte of an invalid sequence, or nil when all is valid.
    static func firstInvalid(_ b: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            let need: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; upper = 0x9F
            case 0xF0: need = 3; lower = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; upper = 0x8F
            default: return i
            }
            guard i + need < n else { return i }
            guard b[i + 1] >= lower, b[i + 1] <= upper else { return i }
            var k = 2
            while k <= need {
                guard b[i + k] & 0xC0 == 0x80 else { return i }
                k += 1
            }
            i += need + 1
        }
        return nil
    }
}
