/// What a typed decode knows about its message.
public struct DecodingContext: Sendable {
    /// The message's protocol version, once its header has been read.
    public var version: ProtocolVersion
    public var limits: Limits
    /// While a Key Block's Key Value is decoded: its Key Format Type, which fixes the Key Material's form.
    public var keyFormatType: KeyFormatType?
    public init(version: ProtocolVersion = .latest, limits: Limits = .default) {
        self.version = version
        self.limits = limits
    }
}

/// What a typed encode emits for: only fields that exist in `version` are written.
public struct EncodingContext: Sendable {
    public var version: ProtocolVersion
    /// KMIP starts at 1.0: a header naming 0.x is written with 1.0's fields (it used to write none).
    public init(version: ProtocolVersion = .latest) { self.version = max(version, .v1_0) }
}

/// A value with one TTLV encoding: a primitive, an enumeration, or a structure of the typed model.
public protocol TTLVCodable: Sendable {
    /// Decodes from an element whose tag the caller has already matched.
    static func decode(_ e: TTLVElement, _ context: inout DecodingContext) throws -> Self
    func encode(tag: Tag, to w: inout TTLVWriter, _ context: EncodingContext)
}

extension TTLVElement {
    /// Fails unless the element has the item type `expected`.
    @inline(__always) public func expect(_ expected: ItemType) throws {
        guard type == expected else {
            throw TTLVError(.unexpectedType, offset: offset, tag: tag, "expected \(expected.specName), found \(type.specName)")
        }
    }
}

extension Int32: TTLVCodable {
    public static func decode(_ e: TTLVElement, _ c: inout DecodingContext) throws -> Int32 { try e.expect(.integer); return e.int32 }
    public func encode(tag: Tag, to w: inout TTLVWriter, _ c: EncodingContext) { w.integer(tag, self) }
}

extension Int64: TTLVCodable {
    public static func decode(_ e: TTLVElement, _ c: inout DecodingContext) throws -> Int64 { try e.expect(.longInteger); return e.int64 }
    public func encode(tag: Tag, to w: inout TTLVWriter, _ c: EncodingContext) { w.longInteger(tag, self) }
}

extension Bool: TTLVCodable {
    public static func decode(_ e: TTLVElement, _ c: inout DecodingContext) throws -> Bool { try e.expect(.boolean); return e.int64 != 0 }
    public func encode(tag: Tag, to w: inout TTLVWriter, _ c: EncodingContext) { w.boolean(tag, self) }
}

extension String: TTLVCodable {
    public static func decode(_ e: TTLVElement, _ c: inout DecodingContext) throws -> String { try e.expect(.textString); return e.string }
    public func encode(tag: Tag, to w: inout TTLVWriter, _ c: EncodingContext) { w.textString(tag, self) }
}

extension ByteString: TTLVCodable {
    public static func decode(_ e: TTLVElement, _ c: inout DecodingContext) throws -> ByteString { try e.expect(.byteString); return ByteString(e.bytes) }
    public func encode(tag: Tag, to w: inout TTLVWriter, _ c: EncodingContext) { w.byteString(tag, bytes) }
}

extension BigInteger: TTLVCodable {
    public static func decode(_ e: TTLVElement, _ c: inout DecodingContext) throws -> BigInteger { try e.expect(.bigInteger); return BigInteger(encoded: e.bytes) }
    public func encode(tag: Tag, to w: inout TTLVWriter, _ c: EncodingContext) { w.bigInteger(tag, bytes) }
}

extension DateTime: TTLVCodable {
    public static func decode(_ e: TTLVElement, _ c: inout DecodingContext) throws -> DateTime { try e.expect(.dateTime); return DateTime(secondsSince1970: e.int64) }
    public func encode(tag: Tag, to w: inout TTLVWriter, _ c: EncodingContext) { w.dateTime(tag, secondsSince1970) }
}

extension DateTimeExtended: TTLVCodable {
    public static func decode(_ e: TTLVElement, _ c: inout DecodingContext) throws -> DateTimeExtended { try e.expect(.dateTimeExtended); return DateTimeExtended(microsecondsSince1970: e.int64) }
    public func encode(tag: Tag, to w: inout TTLVWriter, _ c: EncodingContext) { w.dateTimeExtended(tag, microsecondsSince1970) }
}

extension Interval: TTLVCodable {
    public static func decode(_ e: TTLVElement, _ c: inout DecodingContext) throws -> Interval { try e.expect(.interval); return Interval(seconds: e.uint32) }
    public func encode(tag: Tag, to w: inout TTLVWriter, _ c: EncodingContext) { w.interval(tag, seconds) }
}

extension TTLV: TTLVCodable {
    /// A generic item keeps whatever tag it was decoded with; `encode` writes it under `tag`.
    public static func decode(_ e: TTLVElement, _ c: inout DecodingContext) throws -> TTLV { TTLV(e) }
    public func encode(tag: Tag, to w: inout TTLVWriter, _ c: EncodingContext) { w.write(TTLV(tag, value)) }
}

// Enumerations are Enumeration items whose value the spec defines (or in the 0x8XXXXXXX extension range).
extension KMIPEnumeration {
    public static func decode(_ e: TTLVElement, _ c: inout DecodingContext) throws -> Self {
        try e.expect(.enumeration)
        let v = Self(rawValue: e.uint32)
        guard v.isDefined else {
            throw TTLVError(.unknownEnumeration, offset: e.offset, tag: e.tag,
                            "0x\(String(e.uint32, radix: 16)) is not a \(definition.name) value")
        }
        return v
    }
    public func encode(tag: Tag, to w: inout TTLVWriter, _ c: EncodingContext) { w.enumeration(tag, rawValue) }
}

// Masks are Integer items; undefined bits are kept.
extension KMIPMask {
    public static func decode(_ e: TTLVElement, _ c: inout DecodingContext) throws -> Self {
        try e.expect(.integer)
        return Self(rawValue: e.uint32)
    }
    public func encode(tag: Tag, to w: inout TTLVWriter, _ c: EncodingContext) { w.integer(tag, Int32(bitPattern: rawValue)) }
}
