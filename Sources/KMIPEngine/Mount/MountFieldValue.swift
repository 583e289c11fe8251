import Foundation

/// A loosely typed field value as Vault's API and CLI accept it: JSON numbers, strings, booleans
/// and lists, or `key=value` text from the command line. ``MountFields`` turns it into a typed value.
public enum MountFieldValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case list([MountFieldValue])
    case null

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let l = try? c.decode([MountFieldValue].self) { self = .list(l) }
        else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a string, number, boolean or list") }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        case .list(let l): try c.encode(l)
        case .null: try c.encodeNil()
        }
    }

    public var description: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return String(b)
        case .list(let l): return "[" + l.map(\.description).joined(separator: ",") + "]"
        case .null: return "null"
        }
    }
}

/// The parsing rules of Vault's field types (`framework.TypeDurationSecond`, `TypeCommaStringSlice`,
/// `TypeInt`, `TypeBool`), shared by the mount and the HTTP API.
public enum MountFields {
    /// Seconds from an int (seconds), an integral double, or a duration string: a bare number of
    /// seconds (`"86400"`) or a sequence of number+unit (`"1s"`, `"20m"`, `"336h"`, `"1h30m"`,
    /// `"1.5h"`; units ns, us, µs, ms, s, m, h, d). Negative values are refused.
    public static func durationSeconds(_ value: MountFieldValue, field: String) throws -> Int {
        switch value {
        case .int(let i):
            guard i >= 0 else { throw MountError.invalid("\(field) must not be negative") }
            return i
        case .double(let d):
            guard d >= 0, d.isFinite, d.rounded() == d, d < 1e15 else {
                throw MountError.invalid("\(field) must be a whole, non-negative number of seconds")
            }
            return Int(d)
        case .string(let s):
            return try durationSeconds(s, field: field)
        default:
            throw MountError.invalid("\(field) must be a duration such as \"1s\", \"20m\" or \"336h\", or a number of seconds")
        }
    }

    public static func durationSeconds(_ text: String, field: String) throws -> Int {
        let s = text.trimmingCharacters(in: .whitespaces)
        let bad = MountError.invalid("\(field): invalid duration \"\(text)\"; use e.g. \"1s\", \"20m\", \"336h\" or a number of seconds")
        guard !s.isEmpty else { throw bad }
        if let i = Int(s) {
            guard i >= 0 else { throw MountError.invalid("\(field) must not be negative") }
            return i
        }
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3),
                                         ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        var rest = Substring(s)
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix(while: { $0.isNumber || $0 == "." })
            guard !number.isEmpty, let value = Double(number) else { throw bad }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix(while: { !$0.isNumber && $0 != "." })
            guard let unit = units.first(where: { $0.0 == unitText }) else { throw bad }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        guard total.isFinite, total < 1e15 else { throw bad }
        return Int(total.rounded(.down))
    }

    /// Vault's `TypeCommaStringSlice`: a list of strings, or one comma-separated string; entries
    /// are trimmed and empty ones dropped.
    public static func stringList(_ value: MountFieldValue, field: String) throws -> [String] {
        switch value {
        case .string(let s):
            return s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case .list(let items):
            return try items.flatMap { item -> [String] in
                switch item {
                case .string, .int, .double: return try stringList(.string(item.description), field: field)
                default: throw MountError.invalid("\(field) must be a list of strings")
                }
            }
        case .null:
            return []
        default:
            throw MountError.invalid("\(field) must be a list of strings or a comma-separated string")
        }
    }

    /// An int from a number or a numeric string.
    public static func int(_ value: MountFieldValue, field: String) throws -> Int {
        switch value {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 1e15: return Int(d)
        case .string(let s):
            if let i = Int(s.trimmingCharacters(in: .whitespaces)) { return i }
        default: break
        }
        throw MountError.invalid("\(field) must be an integer")
    }

    /// A bool from a JSON boolean, 0/1 or Go's `strconv.ParseBool` strings.
    public static func bool(_ value: MountFieldValue, field: String) throws -> Bool {
        switch value {
        case .bool(let b): return b
        case .int(0): return false
        case .int(1): return true
        case .string(let s):
            switch s.trimmingCharacters(in: .whitespaces).lowercased() {
            case "1", "t", "true": return true
            case "0", "f", "false": return false
            default: break
            }
        default: break
        }
        throw MountError.invalid("\(field) must be a boolean")
    }

    /// A string from a string or a number.
    public static func string(_ value: MountFieldValue, field: String) throws -> String {
        switch value {
        case .string(let s): return s
        case .int, .double: return value.description
        default: throw MountError.invalid("\(field) must be a string")
        }
    }

    /// `"336h"`-style text for a number of seconds, as Vault's CLI shows durations (`0s` for zero).
    public static func formatDuration(_ seconds: Int) -> String {
        if seconds == 0 { return "0s" }
        var out = ""
        var rest = seconds
        if rest >= 3600 { out += "\(rest / 3600)h"; rest %= 3600 }
        if rest >= 60 { out += "\(rest / 60)m"; rest %= 60 }
        if rest > 0 { out += "\(rest)s" }
        return out
    }
}
