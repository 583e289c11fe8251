/// A value in a policy's `allowed_parameters`/`denied_parameters` lists or in a request's data.
public enum PolicyValue: Sendable, Hashable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case list([PolicyValue])
    case object([String: PolicyValue])
    case null
}

extension PolicyValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: PolicyValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, PolicyValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}
