/// Appends TTLV items to a byte buffer. Structures are written in place: `beginStructure` reserves the
/// header and `endStructure` patches its length, so nothing is built twice.
public struct TTLVWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always) mutating func header(_ tag: Tag, _ type: ItemType, _ length: Int) {
        let t = tag.rawValue
        bytes.append(UInt8(truncatingIfNeeded: t >> 16))
        bytes.append(UInt8(truncatingIfNeeded: t >> 8))
        bytes.append(UInt8(truncatingIfNeeded: t))
        bytes.append(type.rawValue)
        append32(UInt32(length))
    }

    @inline(__always) mutating func append32(_ v: UInt32) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }
    @inline(__always) mutating func append64(_ v: UInt64) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }
    @inline(__always) mutating func pad(_ length: Int) {
        let p = (8 - length % 8) % 8
        if p > 0 { bytes.append(contentsOf: repeatElement(0, count: p)) }
    }

    /// Starts a Structure; pass the returned mark to `endStructure`.
    public mutating func beginStructure(_ tag: Tag) -> Int {
        header(tag, .structure, 0)
        return bytes.count
    }

    public mutating func endStructure(_ mark: Int) {
        let length = UInt32(bytes.count - mark)
        bytes[mark - 4] = UInt8(truncatingIfNeeded: length >> 24)
        bytes[mark - 3] = UInt8(truncatingIfNeeded: length >> 16)
        bytes[mark - 2] = UInt8(truncatingIfNeeded: length >> 8)
        bytes[mark - 1] = UInt8(truncatingIfNeeded: length)
    }

    public mutating func structure(_ tag: Tag, _ body: (inout TTLVWriter) -> Void) {
        let mark = beginStructure(tag)
        body(&self)
        endStructure(mark)
    }

    public mutating func integer(_ tag: Tag, _ v: Int32) { header(tag, .integer, 4); append32(UInt32(bitPattern: v)); append32(0) }
    public mutating func longInteger(_ tag: Tag, _ v: Int64) { header(tag, .longInteger, 8); append64(UInt64(bitPattern: v)) }
    public mutating func enumeration(_ tag: Tag, _ v: UInt32) { header(tag, .enumeration, 4); append32(v); append32(0) }
    public mutating func boolean(_ tag: Tag, _ v: Bool) { header(tag, .boolean, 8); append64(v ? 1 : 0) }
    public mutating func interval(_ tag: Tag, _ v: UInt32) { header(tag, .interval, 4); append32(v); append32(0) }
    public mutating func dateTime(_ tag: Tag, _ v: Int64) { header(tag, .dateTime, 8); append64(UInt64(bitPattern: v)) }
    public mutating func dateTimeExtended(_ tag: Tag, _ v: Int64) { header(tag, .dateTimeExtended, 8); append64(UInt64(bitPattern: v)) }

    public mutating func textString(_ tag: Tag, _ v: String) {
        var v = v
        v.withUTF8 { u in
            header(tag, .textString, u.count)
            bytes.append(contentsOf: u)
            pad(u.count)
        }
    }

    public mutating func byteString(_ tag: Tag, _ v: [UInt8]) {
        header(tag, .byteString, v.count)
        bytes.append(contentsOf: v)
        pad(v.count)
    }

    /// Big Integer bytes must already be a positive multiple of 8 long (see `BigInteger`).
    public mutating func bigInteger(_ tag: Tag, _ v: [UInt8]) {
        header(tag, .bigInteger, v.count)
        bytes.append(contentsOf: v)
        pad(v.count)
    }

    public mutating func write(_ item: TTLV) {
        switch item.value {
        case .structure(let children): structure(item.tag) { w in for c in children { w.write(c) } }
        case .integer(let v): integer(item.tag, v)
        case .longInteger(let v): longInteger(item.tag, v)
        case .bigInteger(let v): bigInteger(item.tag, v.bytes)
        case .enumeration(let v): enumeration(item.tag, v)
        case .boolean(let v): boolean(item.tag, v)
        case .textString(let v): textString(item.tag, v)
        case .byteString(let v): byteString(item.tag, v.bytes)
        case .dateTime(let v): dateTime(item.tag, v.secondsSince1970)
        case .interval(let v): interval(item.tag, v.seconds)
        case .dateTimeExtended(let v): dateTimeExtended(item.tag, v.microsecondsSince1970)
        }
    }
}
