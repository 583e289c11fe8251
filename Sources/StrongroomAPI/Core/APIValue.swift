import Foundation
import KMIPEngine
import VaultPolicy

/// A JSON value of Vault's API: request bodies, response `data` and `auth` blocks. Unlike
/// ``MountFieldValue`` it holds objects too (`sys/mounts` takes a `config` map).
public enum APIValue: Sendable, Hashable, Codable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case list([APIValue])
    case object([String: APIValue])
    case null

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let l = try? c.decode([APIValue].self) { self = .list(l) }
        else if let o = try? c.decode([String: APIValue].self) { self = .object(o) }
        else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a JSON value") }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        case .list(let l): try c.encode(l)
        case .object(let o): try c.encode(o)
        case .null: try c.encodeNil()
        }
    }

    /// The mount layer's field value; nil for objects (and lists holding them), which no mount field takes.
    public var fieldValue: MountFieldValue? {
        switch self {
        case .string(let s): return .string(s)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .bool(let b): return .bool(b)
        case .null: return .null
        case .object: return nil
        case .list(let l):
            var out: [MountFieldValue] = []
            for item in l {
                guard let v = item.fieldValue else { return nil }
                out.append(v)
            }
            return .list(out)
        }
    }

    public init(_ field: MountFieldValue) {
        switch field {
        case .string(let s): self = .string(s)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .bool(let b): self = .bool(b)
        case .list(let l): self = .list(l.map(APIValue.init))
        case .null: self = .null
        }
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var intValue: Int? { if case .int(let i) = self { return i }; return nil }
    public var listValue: [APIValue]? { if case .list(let l) = self { return l }; return nil }
    public var objectValue: [String: APIValue]? { if case .object(let o) = self { return o }; return nil }

    public subscript(key: String) -> APIValue? { objectValue?[key] }

    /// Compact JSON with sorted keys.
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("null".utf8)
    }

    /// Parses a JSON document (nil for invalid JSON).
    public static func parse(_ data: Data) -> APIValue? { try? JSONDecoder().decode(APIValue.self, from: data) }
}

extension APIValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: APIValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, APIValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension APIValue {
    /// The value as the policy engine matches it (`allowed_parameters`, `denied_parameters`).
    var policyValue: PolicyValue {
        switch self {
        case .string(let s): .string(s)
        case .int(let i): .number(Double(i))
        case .double(let d): .number(d)
        case .bool(let b): .bool(b)
        case .list(let l): .list(l.map(\.policyValue))
        case .object(let o): .object(o.mapValues(\.policyValue))
        case .null: .null
        }
    }
}
