/// A JSON value as Vault's API and CLI exchange it: request bodies, responses, `key=value`
/// arguments, the server's configuration file. Numbers keep the literal they arrived with (Go's
/// `json.Number`), so `86400` is printed back as `86400` and a long integer never turns into a float.
/// The one JSON value type above the KMIP layer (the KMIP JSON encoding keeps its own).
public enum VaultValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(VaultNumber)
    case string(String)
    case list([VaultValue])
    /// Go maps are unordered; every rendering sorts the keys, as Go's encoder does.
    case object([String: VaultValue])

    public static func int(_ value: Int) -> VaultValue { .number(VaultNumber(value)) }
    public static func double(_ value: Double) -> VaultValue { .number(VaultNumber(value)) }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    /// The number as an Int when it is a whole number in range (`5`, `5.0`, `5e0`).
    public var intValue: Int? { if case .number(let n) = self { return n.int }; return nil }
    public var listValue: [VaultValue]? { if case .list(let l) = self { return l }; return nil }
    public var objectValue: [String: VaultValue]? { if case .object(let o) = self { return o }; return nil }

    public subscript(key: String) -> VaultValue? { objectValue?[key] }
}

/// A JSON number as written: its literal, read as an Int or a Double on demand.
public struct VaultNumber: Sendable, Hashable, CustomStringConvertible {
    /// The JSON text of the number (`86400`, `-1.5e3`).
    public let literal: String

    /// A literal checked to be JSON number syntax (the parser's job); nil otherwise.
    public init?(literal: String) {
        guard Self.isNumberSyntax(literal) else { return nil }
        self.literal = literal
    }

    /// A literal the parser has already read as JSON number syntax.
    init(unchecked literal: String) { self.literal = literal }

    public init(_ value: Int) { literal = String(value) }

    /// Non-finite values have no JSON form; they become 0.
    public init(_ value: Double) {
        if !value.isFinite { literal = "0" }
        else if value.rounded() == value, abs(value) < 1e15 { literal = String(Int(value)) }
        else { literal = String(value) }
    }

    public var int: Int? {
        if let i = Int(literal) { return i }
        guard let d = Double(literal), d.rounded() == d, abs(d) < 9.0e15 else { return nil }
        return Int(d)
    }

    public var double: Double? { Double(literal) }

    public var description: String { literal }

    /// Numbers are equal by value (`1` == `1.0`), as Vault's policy checks compare them.
    public static func == (lhs: VaultNumber, rhs: VaultNumber) -> Bool {
        if lhs.literal == rhs.literal { return true }
        guard let l = lhs.double, let r = rhs.double else { return false }
        return l == r
    }

    public func hash(into hasher: inout Hasher) {
        if let d = double { hasher.combine(d) } else { hasher.combine(literal) }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, JSON's number grammar.
    static func isNumberSyntax(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        func digits() -> Int {
            let n = bytes.prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }.count
            bytes = bytes.dropFirst(n)
            return n
        }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let leadingZero = bytes.first == UInt8(ascii: "0")
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || !leadingZero else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}

extension VaultValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: VaultValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, VaultValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

/// Through Swift's coders (stored records, the audit log's entries): numbers as Int when whole,
/// else Double.
extension VaultValue: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let l = try? c.decode([VaultValue].self) { self = .list(l) }
        else if let o = try? c.decode([String: VaultValue].self) { self = .object(o) }
        else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a JSON value") }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            if let i = Int(n.literal) { try c.encode(i) } else { try c.encode(n.double ?? 0) }
        case .string(let s): try c.encode(s)
        case .list(let l): try c.encode(l)
        case .object(let o): try c.encode(o)
        }
    }
}
