/// Text forms of TTLV values shared by the XML and JSON encodings (KMIP Profiles, "Additional
/// Message Encodings"): enumerations and masks by name, Byte String and Big Integer in hex,
/// Date-Time in ISO 8601.
enum ValueText {
    /// The enumeration or mask that names the values of `tag`; for an Attribute Value, the one of
    /// the attribute named beside it.
    static func enumeration(for tag: Tag, attributeName: String?) -> EnumerationDefinition? {
        if tag == .attributeValue, let attributeName {
            return SpecTables.tagsBySpecName[collapse(attributeName)]?.definition?.enumeration
        }
        return tag.definition?.enumeration
    }

    static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
    }

    /// Parses a value given as text (XML attribute, JSON string).
    static func parse(_ text: String, type: ItemType, enumeration: EnumerationDefinition?) -> TTLV.Value? {
        switch type {
        case .structure: return nil
        case .integer:
            if let v = Int32(text) { return .integer(v) }
            if let v = parseHex32(Substring(text)) { return .integer(Int32(bitPattern: v)) }
            if let e = enumeration, let v = e.parseMask(text) { return .integer(Int32(bitPattern: v)) }
            return nil
        case .longInteger:
            if let v = Int64(text) { return .longInteger(v) }
            return hex64(text).map { .longInteger(Int64(bitPattern: $0)) }
        case .bigInteger:
            let h = text.hasPrefix("0x") ? String(text.dropFirst(2)) : text
            guard var b = Hex.decode(h.count % 2 == 1 ? "0" + h : h), !b.isEmpty else { return nil }
            let fill: UInt8 = b[0] & 0x80 != 0 ? 0xFF : 0
            while b.count % 8 != 0 { b.insert(fill, at: 0) }
            return .bigInteger(BigInteger(encoded: b))
        case .enumeration:
            if let v = parseHex32(Substring(text)) { return .enumeration(v) }
            if let e = enumeration, let v = e.value(xmlName: text) ?? e.value(xmlName: collapse(text)) { return .enumeration(v) }
            return nil
        case .boolean:
            switch text {
            case "true", "1", "0x0000000000000001": return .boolean(true)
            case "false", "0", "0x0000000000000000": return .boolean(false)
            default: return nil
            }
        case .textString: return .textString(text)
        case .byteString:
            return Hex.decode(text).map { .byteString(ByteString($0)) }
        case .dateTime:
            if let v = ISO8601.parse(text) { return .dateTime(DateTime(secondsSince1970: v)) }
            return hex64(text).map { .dateTime(DateTime(secondsSince1970: Int64(bitPattern: $0))) }
        case .interval:
            if let v = UInt32(text) { return .interval(Interval(seconds: v)) }
            return parseHex32(Substring(text)).map { .interval(Interval(seconds: $0)) }
        case .dateTimeExtended:
            if let v = Int64(text) { return .dateTimeExtended(DateTimeExtended(microsecondsSince1970: v)) }
            return hex64(text).map { .dateTimeExtended(DateTimeExtended(microsecondsSince1970: Int64(bitPattern: $0))) }
        }
    }

    static func hex64(_ s: String) -> UInt64? {
        guard s.hasPrefix("0x") || s.hasPrefix("0X") else { return nil }
        return UInt64(s.dropFirst(2), radix: 16)
    }

    /// The text of a non-structure value.
    static func format(_ value: TTLV.Value, enumeration: EnumerationDefinition?) -> String {
        switch value {
        case .structure: return ""
        case .integer(let v):
            if let e = enumeration, e.isMask { return e.maskNames(UInt32(bitPattern: v)).joined(separator: " ") }
            return String(v)
        case .longInteger(let v): return String(v)
        case .bigInteger(let v): return "0x" + Hex.encode(v.bytes).uppercased()
        case .enumeration(let v):
            // A name shared by several values ("Reserved") would read back as another value: hex then.
            if let e = enumeration, !e.isMask, let d = e.value(v), e.value(xmlName: d.xmlName) == v { return d.xmlName }
            return "0x" + String(v, radix: 16, uppercase: true).leftPadded(8)
        case .boolean(let v): return v ? "true" : "false"
        case .textString(let v): return v
        case .byteString(let v): return v.hex
        case .dateTime(let v):
            // ISO 8601 without an agreed expansion has four-digit years; other instants go in hex.
            if ISO8601.fourDigitYears.contains(v.secondsSince1970) { return ISO8601.format(v.secondsSince1970) }
            return "0x" + String(UInt64(bitPattern: v.secondsSince1970), radix: 16, uppercase: true).leftPadded(16)
        case .interval(let v): return String(v.seconds)
        case .dateTimeExtended(let v): return String(v.microsecondsSince1970)
        }
    }
}

extension SpecTables {
    static let tagsBySpecName: [String: Tag] = {
        var d: [String: Tag] = [:]
        for t in tags where d[t.name] == nil { d[t.name] = t.tag }
        return d
    }()
}
