/// A value of a spec Name/Value table (enumeration or mask).
public protocol KMIPEnumerated: Hashable, Sendable, CustomStringConvertible {
    var rawValue: UInt32 { get }
    init(rawValue: UInt32)
    static var definition: EnumerationDefinition { get }
}

/// An enumeration value of the spec. Unknown values are kept (extensions, newer versions);
/// `isDefined` tells whether the spec names the value.
public protocol KMIPEnumeration: KMIPEnumerated, TTLVCodable {}

extension KMIPEnumeration {
    public var name: String? { Self.definition.value(rawValue)?.name }
    public var description: String { Self.definition.value(rawValue)?.xmlName ?? Self.definition.hex(rawValue) }
    /// Defined by the spec, or in the 0x8XXXXXXX extension range.
    public var isDefined: Bool { Self.definition.accepts(rawValue) }
}

/// A bit mask of the spec (Cryptographic Usage Mask, Storage Status Mask…).
public protocol KMIPMask: KMIPEnumerated, OptionSet, TTLVCodable where Element == Self, RawValue == UInt32 {}

extension KMIPMask {
    public var description: String { Self.definition.maskNames(rawValue).joined(separator: " ") }
}

/// A Name/Value table of the spec.
public struct EnumerationDefinition: Sendable {
    public struct Value: Sendable {
        public let value: UInt32
        public let name: String
        /// Spellings in the XML encoding; the first is canonical, later ones are what test cases use.
        public let xmlNames: [String]
        public let since: ProtocolVersion
        public let deprecated: Bool
        public var xmlName: String { xmlNames[0] }
        public init(value: UInt32, name: String, xmlNames: [String], since: ProtocolVersion, deprecated: Bool = false) {
            self.value = value; self.name = name; self.xmlNames = xmlNames; self.since = since; self.deprecated = deprecated
        }
    }

    public let name: String
    public let xmlName: String
    public let since: ProtocolVersion
    public let isMask: Bool
    public let values: [Value]
    private let byValue: [UInt32: Int]
    private let byXMLName: [String: UInt32]

    public init(name: String, xmlName: String, since: ProtocolVersion, isMask: Bool, values: [Value]) {
        self.name = name; self.xmlName = xmlName; self.since = since; self.isMask = isMask; self.values = values
        var byValue: [UInt32: Int] = [:]
        var byXMLName: [String: UInt32] = [:]
        for (i, v) in values.enumerated() {
            byValue[v.value] = byValue[v.value] ?? i
            for n in v.xmlNames { byXMLName[n] = byXMLName[n] ?? v.value }
        }
        self.byValue = byValue
        self.byXMLName = byXMLName
    }

    public func value(_ raw: UInt32) -> Value? { byValue[raw].map { values[$0] } }
    public func value(xmlName: String) -> UInt32? { byXMLName[xmlName] }
    public func accepts(_ raw: UInt32) -> Bool { byValue[raw] != nil || raw & 0x8000_0000 != 0 }
    func hex(_ raw: UInt32) -> String { "0x" + String(raw, radix: 16, uppercase: true).leftPadded(8) }

    /// Names of the bits set in a mask value; bits the spec does not name are given as one hex word.
    public func maskNames(_ raw: UInt32) -> [String] {
        var names: [String] = []
        var rest = raw
        for v in values where v.value != 0 && raw & v.value == v.value && rest & v.value != 0 {
            names.append(v.xmlName)
            rest &= ~v.value
        }
        if rest != 0 || names.isEmpty { names.append(hex(rest)) }
        return names
    }

    /// Parses a mask from names and hex words separated by spaces or `|` ("Encrypt Decrypt", "0x0000000C").
    public func parseMask(_ text: String) -> UInt32? {
        var result: UInt32 = 0
        for word in text.split(whereSeparator: { $0 == " " || $0 == "|" || $0 == "\t" || $0 == "\n" }) {
            if let v = byXMLName[String(word)] { result |= v; continue }
            guard let v = parseHex32(word) else { return nil }
            result |= v
        }
        return result
    }
}

func parseHex32(_ s: Substring) -> UInt32? {
    guard s.hasPrefix("0x") || s.hasPrefix("0X") else { return nil }
    return UInt32(s.dropFirst(2), radix: 16)
}

/// Lookup tables over the generated spec data.
public enum SpecTables {
    static let tagsByValue: [UInt32: TagDefinition] = {
        var d: [UInt32: TagDefinition] = [:]
        for t in tags { d[t.tag.rawValue] = t }
        return d
    }()
    static let tagsByXMLName: [String: Tag] = {
        var d: [String: Tag] = [:]
        for t in tags { for n in t.xmlNames where d[n] == nil { d[n] = t.tag } }
        return d
    }()
    public static func enumeration(xmlName: String) -> EnumerationDefinition? {
        enumerationsByXMLName[xmlName]
    }
    static let enumerationsByXMLName: [String: EnumerationDefinition] = {
        var d: [String: EnumerationDefinition] = [:]
        for e in enumerations { d[e.xmlName] = e }
        return d
    }()
}
