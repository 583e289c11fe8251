/// Vault's field types (`framework.FieldType`): how a request field is coerced.
public enum FieldType: String, Sendable, Hashable {
    /// A string; a number is taken as its text.
    case string
    /// An integer; a numeric string is accepted.
    case int
    /// A boolean; 0/1 and Go's `strconv.ParseBool` strings are accepted.
    case bool
    /// Seconds, as a number or a duration string (`"336h"`); `""` means unset.
    case durationSecond
    /// A list of strings, or one comma-separated string.
    case commaStringSlice
    /// A JSON object.
    case map
}

/// One field of an API path, Vault's `framework.FieldSchema`: declared once, with its type,
/// default and description.
public struct FieldSchema: Sendable {
    public var name: String
    public var type: FieldType
    /// The value a handler reads when the request omits the field (nil: absent).
    public var defaultValue: VaultValue?
    public var description: String

    public init(_ name: String, _ type: FieldType, default defaultValue: VaultValue? = nil, _ description: String) {
        self.name = name; self.type = type; self.defaultValue = defaultValue; self.description = description
    }
}

/// A field value that does not coerce to its type; the message names the field.
public struct FieldError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension FieldType {
    /// `value` in this type's normal form (string, int, bool, seconds as an int, a list of
    /// strings, an object), or nil when it means "unset" (`null`; `""` for a duration). A `null`
    /// list is the empty list (it clears the field, as before the field schema).
    public func coerce(_ value: VaultValue, field: String) throws(FieldError) -> VaultValue? {
        if value == .null { return self == .commaStringSlice ? .list([]) : nil }
        switch self {
        case .string: return .string(try Self.string(value, field: field))
        case .int: return .int(try Self.int(value, field: field))
        case .bool: return .bool(try Self.bool(value, field: field))
        case .durationSecond:
            if value == .string("") { return nil }
            return .int(try VaultDuration.seconds(value, field: field))
        case .commaStringSlice: return .list(try Self.stringList(value, field: field).map(VaultValue.string))
        case .map:
            guard case .object = value else { throw FieldError("\(field) must be a JSON object") }
            return value
        }
    }

    static func string(_ value: VaultValue, field: String) throws(FieldError) -> String {
        switch value {
        case .string(let s): return s
        case .number(let n): return n.literal
        default: throw FieldError("\(field) must be a string")
        }
    }

    static func int(_ value: VaultValue, field: String) throws(FieldError) -> Int {
        switch value {
        case .number(let n): if let i = n.int { return i }
        case .string(let s): if let i = Int(s.trimmingSpaces) { return i }
        default: break
        }
        throw FieldError("\(field) must be an integer")
    }

    static func bool(_ value: VaultValue, field: String) throws(FieldError) -> Bool {
        switch value {
        case .bool(let b): return b
        case .number(let n) where n.int == 0: return false
        case .number(let n) where n.int == 1: return true
        case .string(let s):
            switch s.trimmingSpaces.lowercased() {
            case "1", "t", "true": return true
            case "0", "f", "false": return false
            default: break
            }
        default: break
        }
        throw FieldError("\(field) must be a boolean")
    }

    /// Vault's `TypeCommaStringSlice`: entries trimmed, empty ones dropped.
    static func stringList(_ value: VaultValue, field: String) throws(FieldError) -> [String] {
        switch value {
        case .string(let s):
            return s.split(separator: ",").map(\.trimmingSpaces).filter { !$0.isEmpty }
        case .list(let items):
            var out: [String] = []
            for item in items {
                switch item {
                case .string(let s): out += try stringList(.string(s), field: field)
                case .number(let n): out.append(n.literal)
                default: throw FieldError("\(field) must be a list of strings")
                }
            }
            return out
        default:
            throw FieldError("\(field) must be a list of strings or a comma-separated string")
        }
    }
}
