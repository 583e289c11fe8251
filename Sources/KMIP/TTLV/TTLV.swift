/// A generic TTLV item: the tree form used by the XML/JSON encodings, the text dump, and for
/// anything the typed model does not know (extensions, unknown custom attributes, 2.x payloads).
public struct TTLV: Hashable, Sendable {
    public var tag: Tag
    public var value: Value

    public enum Value: Hashable, Sendable {
        case structure([TTLV])
        case integer(Int32)
        case longInteger(Int64)
        case bigInteger(BigInteger)
        case enumeration(UInt32)
        case boolean(Bool)
        case textString(String)
        case byteString(ByteString)
        case dateTime(DateTime)
        case interval(Interval)
        case dateTimeExtended(DateTimeExtended)

        public var itemType: ItemType {
            switch self {
            case .structure: .structure
            case .integer: .integer
            case .longInteger: .longInteger
            case .bigInteger: .bigInteger
            case .enumeration: .enumeration
            case .boolean: .boolean
            case .textString: .textString
            case .byteString: .byteString
            case .dateTime: .dateTime
            case .interval: .interval
            case .dateTimeExtended: .dateTimeExtended
            }
        }
    }

    public init(_ tag: Tag, _ value: Value) { self.tag = tag; self.value = value }

    public var children: [TTLV] {
        if case .structure(let c) = value { return c }
        return []
    }

    /// The first child with `tag`.
    public subscript(tag: Tag) -> TTLV? { children.first { $0.tag == tag } }

    /// In an Attribute structure, its Attribute Name: it decides how the Attribute Value's
    /// enumeration and mask names read in the text encodings.
    var attributeName: String? {
        if case .textString(let n)? = self[.attributeName]?.value { return n }
        return nil
    }
}

extension TTLV {
    /// Decodes one complete message (the buffer holds exactly one top-level item).
    public init(decoding bytes: [UInt8], limits: Limits = .default) throws {
        self = try bytes.withUnsafeBytes { raw in
            let root = try TTLVReader.validate(raw, limits: limits)
            return TTLV(root)
        }
    }

    /// Builds the tree from an already validated element.
    public init(_ e: TTLVElement) {
        switch e.type {
        case .structure:
            var items: [TTLV] = []
            var c = e.children
            while let child = c.next() { items.append(TTLV(child)) }
            self.init(e.tag, .structure(items))
        case .integer: self.init(e.tag, .integer(e.int32))
        case .longInteger: self.init(e.tag, .longInteger(e.int64))
        case .bigInteger: self.init(e.tag, .bigInteger(BigInteger(encoded: e.bytes)))
        case .enumeration: self.init(e.tag, .enumeration(e.uint32))
        case .boolean: self.init(e.tag, .boolean(e.int64 != 0))
        case .textString: self.init(e.tag, .textString(e.string))
        case .byteString: self.init(e.tag, .byteString(ByteString(e.bytes)))
        case .dateTime: self.init(e.tag, .dateTime(DateTime(secondsSince1970: e.int64)))
        case .interval: self.init(e.tag, .interval(Interval(seconds: e.uint32)))
        case .dateTimeExtended: self.init(e.tag, .dateTimeExtended(DateTimeExtended(microsecondsSince1970: e.int64)))
        }
    }

    /// The TTLV encoding of this item.
    public func encoded() -> [UInt8] {
        var w = TTLVWriter()
        w.write(self)
        return w.bytes
    }
}
