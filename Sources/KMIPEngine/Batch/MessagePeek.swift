import KMIP

/// Reads the protocol version and first operation out of a message that failed to decode, so the
/// error response can speak the client's version. Bounds-checked at every step; never trusts a length.
enum MessagePeek {
    static func protocolVersion(_ bytes: [UInt8]) -> ProtocolVersion? {
        guard let header = child(bytes, in: 0, tag: .requestHeader),
              let version = child(bytes, in: header, tag: .protocolVersion),
              let major = integer(bytes, child(bytes, in: version, tag: .protocolVersionMajor)),
              let minor = integer(bytes, child(bytes, in: version, tag: .protocolVersionMinor)) else { return nil }
        return ProtocolVersion(major, minor)
    }

    static func firstOperation(_ bytes: [UInt8]) -> Operation? {
        guard let item = child(bytes, in: 0, tag: .batchItem),
              let op = child(bytes, in: item, tag: .operation), bytes[op + 3] == ItemType.enumeration.rawValue,
              let raw = integer(bytes, op) else { return nil }
        return Operation(rawValue: UInt32(bitPattern: raw))
    }

    /// The offset of the first child of the structure at `parent` whose tag is `tag`.
    private static func child(_ b: [UInt8], in parent: Int, tag: Tag) -> Int? {
        guard parent + 8 <= b.count, b[parent + 3] == ItemType.structure.rawValue else { return nil }
        let end = min(b.count, parent + 8 + length(b, parent))
        var at = parent + 8
        while at + 8 <= end {
            if Tag(UInt32(b[at]) << 16 | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2])) == tag { return at }
            let padded = (length(b, at) + 7) / 8 * 8
            guard padded >= 0, at + 8 + padded > at else { return nil }
            at += 8 + padded
        }
        return nil
    }

    private static func length(_ b: [UInt8], _ at: Int) -> Int {
        Int(UInt32(b[at + 4]) << 24 | UInt32(b[at + 5]) << 16 | UInt32(b[at + 6]) << 8 | UInt32(b[at + 7]))
    }

    private static func integer(_ b: [UInt8], _ at: Int?) -> Int32? {
        guard let at, at + 12 <= b.count, length(b, at) == 4 else { return nil }
        return Int32(bitPattern: UInt32(b[at + 8]) << 24 | UInt32(b[at + 9]) << 16 | UInt32(b[at + 10]) << 8 | UInt32(b[at + 11]))
    }
}
