/// A minimal JSON value, parser and printer: enough for the KMIP JSON encoding, with object keys
/// kept in order and integers kept exact (no floating point round trip).
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.integer(let x), .integer(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        default: false
        }
    }
    public func hash(into h: inout Hasher) { h.combine(String(describing: self)) }

    public subscript(key: String) -> JSONValue? {
        if case .object(let kv) = self { return kv.first { $0.0 == key }?.1 }
        return nil
    }

    public static func parse(_ text: String, maxDepth: Int = 64) throws -> JSONValue {
        var p = JSONParser(u: Array(text.utf8), maxDepth: maxDepth)
        p.space()
        let v = try p.value(depth: 1)
        p.space()
        guard p.i == p.u.count else { throw p.fail("trailing characters") }
        return v
    }

    /// Pretty-printed with two-space indentation; small leaf objects on one line.
    public func serialized(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let n): return String(n)
        case .number(let s): return s
        case .string(let s): return JSONValue.quote(s)
        case .array(let a):
            if a.isEmpty { return "[]" }
            return "[\n" + a.map { pad + "  " + $0.serialized(indent: indent + 1) }.joined(separator: ",\n") + "\n" + pad + "]"
        case .object(let kv):
            if kv.allSatisfy({ if case .array = $0.1 { false } else if case .object = $0.1 { false } else { true } }) {
                return "{" + kv.map { JSONValue.quote($0.0) + ": " + $0.1.serialized() }.joined(separator: ", ") + "}"
            }
            return "{\n" + kv.map { pad + "  " + JSONValue.quote($0.0) + ": " + $0.1.serialized(indent: indent + 1) }
                .joined(separator: ",\n") + "\n" + pad + "}"
        }
    }

    /// A JSON string literal. U+2028/U+2029 are escaped too, so the text is also safe inside
    /// JavaScript (log viewers); JSON itself allows them raw.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 || c.value == 0x2028 || c.value == 0x2029 {
                    out += "\\u" + String(c.value, radix: 16).leftPadded(4)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }
}

public struct JSONError: Error, CustomStringConvertible, Sendable {
    public var offset: Int
    public var message: String
    public var description: String { "JSON: \(message) at byte \(offset)" }
}

struct JSONParser {
    let u: [UInt8]
    var i = 0
    let maxDepth: Int
    init(u: [UInt8], maxDepth: Int) { self.u = u; self.maxDepth = maxDepth }

    func fail(_ m: String) -> JSONError { JSONError(offset: i, message: m) }
    mutating func space() { while i < u.count, [0x20, 0x09, 0x0A, 0x0D].contains(u[i]) { i += 1 } }
    mutating func literal(_ s: String, _ v: JSONValue) throws -> JSONValue {
        let b = Array(s.utf8)
        guard i + b.count <= u.count, Array(u[i..<(i + b.count)]) == b else { throw fail("invalid literal") }
        i += b.count
        return v
    }

    mutating func value(depth: Int) throws -> JSONValue {
        guard depth <= maxDepth else { throw fail("nested deeper than \(maxDepth)") }
        guard i < u.count else { throw fail("unexpected end") }
        switch u[i] {
        case UInt8(ascii: "{"):
            i += 1
            var kv: [(String, JSONValue)] = []
            space()
            if i < u.count, u[i] == UInt8(ascii: "}") { i += 1; return .object(kv) }
            while true {
                space()
                let k = try string()
                space()
                guard i < u.count, u[i] == UInt8(ascii: ":") else { throw fail("expected :") }
                i += 1
                space()
                kv.append((k, try value(depth: depth + 1)))
                space()
                guard i < u.count else { throw fail("unterminated object") }
                if u[i] == UInt8(ascii: ",") { i += 1; continue }
                guard u[i] == UInt8(ascii: "}") else { throw fail("expected , or }") }
                i += 1
                return .object(kv)
            }
        case UInt8(ascii: "["):
            i += 1
            var a: [JSONValue] = []
            space()
            if i < u.count, u[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
            while true {
                space()
                a.append(try value(depth: depth + 1))
                space()
                guard i < u.count else { throw fail("unterminated array") }
                if u[i] == UInt8(ascii: ",") { i += 1; continue }
                guard u[i] == UInt8(ascii: "]") else { throw fail("expected , or ]") }
                i += 1
                return .array(a)
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default:
            let start = i
            while i < u.count, "+-0123456789.eE".utf8.contains(u[i]) { i += 1 }
            let s = String(decoding: u[start..<i], as: UTF8.self)
            if let n = Int64(s) { return .integer(n) }
            guard !s.isEmpty, Double(s) != nil else { throw fail("invalid value") }
            return .number(s)
        }
    }

    mutating func string() throws -> String {
        guard i < u.count, u[i] == UInt8(ascii: "\"") else { throw fail("expected a string") }
        i += 1
        var bytes: [UInt8] = []
        while i < u.count {
            let c = u[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                guard UTF8Check.firstInvalidArray(bytes) == nil else { throw fail("invalid UTF-8 in string") }
                return String(decoding: bytes, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < u.count else { break }
                switch u[i] {
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "u"):
                    guard i + 4 < u.count, var code = UInt32(String(decoding: u[(i + 1)...(i + 4)], as: UTF8.self), radix: 16) else {
                        throw fail("invalid \\u escape")
                    }
                    i += 4
                    if (0xD800..<0xDC00).contains(code), i + 6 < u.count, u[i + 1] == UInt8(ascii: "\\"), u[i + 2] == UInt8(ascii: "u"),
                       let low = UInt32(String(decoding: u[(i + 3)...(i + 6)], as: UTF8.self), radix: 16), (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
                        i += 6
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("invalid code point") }
                    bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: bytes.append(u[i])
                }
                i += 1
                continue
            }
            bytes.append(c)
            i += 1
        }
        throw fail("unterminated string")
    }
}

extension UTF8Check {
    static func firstInvalidArray(_ b: [UInt8]) -> Int? { b.withUnsafeBytes { firstInvalid($0) } }
}
