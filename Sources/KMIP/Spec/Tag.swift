/// A KMIP tag: three bytes on the wire, 0x42XXXX for the spec's tags, 0x54XXXX for extensions.
public struct Tag: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// Tags in 0x540000–0x54FFFF are reserved for vendor extensions.
    public var isExtension: Bool { rawValue & 0xFF_0000 == 0x54_0000 }
    public var definition: TagDefinition? { SpecTables.tagsByValue[rawValue] }
    /// The XML element name, or the hex form (`0x54FFFF`) for an unknown tag.
    public var xmlName: String { definition?.xmlName ?? hexString }
    public var hexString: String { "0x" + String(rawValue, radix: 16, uppercase: true).leftPadded(6) }
    public var description: String { definition?.xmlName ?? hexString }

    public static func < (a: Tag, b: Tag) -> Bool { a.rawValue < b.rawValue }

    /// The tag named `xmlName` in the XML/JSON encodings; also accepts `0x42XXXX` hex.
    public init?(xmlName: String) {
        if let t = SpecTables.tagsByXMLName[xmlName] { self = t; return }
        guard xmlName.hasPrefix("0x"), xmlName.count == 8, let v = UInt32(xmlName.dropFirst(2), radix: 16) else { return nil }
        self.init(v)
    }
}

/// A row of the spec's tag table.
public struct TagDefinition: Sendable {
    public let tag: Tag
    public let name: String
    /// Every spelling of the element name across versions; the first is the canonical one.
    public let xmlNames: [String]
    public let since: ProtocolVersion
    /// The enumeration or mask whose names the XML encoding uses for this tag's values.
    public let enumeration: EnumerationDefinition?
    public var xmlName: String { xmlNames[0] }
}

/// A KMIP protocol version (Protocol Version Major / Minor).
public struct ProtocolVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var major: Int32
    public var minor: Int32
    public init(_ major: Int32, _ minor: Int32) { self.major = major; self.minor = minor }

    public static let v1_0 = ProtocolVersion(1, 0)
    public static let v1_1 = ProtocolVersion(1, 1)
    public static let v1_2 = ProtocolVersion(1, 2)
    public static let v1_3 = ProtocolVersion(1, 3)
    public static let v1_4 = ProtocolVersion(1, 4)
    public static let v2_0 = ProtocolVersion(2, 0)
    public static let v2_1 = ProtocolVersion(2, 1)
    /// What this library decodes and encodes, newest first (the Discover Versions order).
    public static let supported: [ProtocolVersion] = [.v1_4, .v1_3, .v1_2, .v1_1, .v1_0]
    public static let latest = ProtocolVersion.v1_4

    public static func < (a: Self, b: Self) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
    public var description: String { "\(major).\(minor)" }
}

extension String {
    func leftPadded(_ n: Int, with c: Character = "0") -> String {
        count >= n ? self : String(repeating: c, count: n - count) + self
    }
}
