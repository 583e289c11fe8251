/// A request's fields coerced once against their schema, Vault's `framework.FieldData`: handlers
/// read typed values, with the schema's defaults for fields the request left out.
public struct FieldData: Sendable {
    /// The declared fields the request gave, in their normal form (``FieldType/coerce(_:field:)``).
    public private(set) var given: [String: VaultValue] = [:]
    /// The schema's defaults, coerced the same way.
    private var defaults: [String: VaultValue] = [:]
    /// Names the request gave that the schema does not declare, sorted (Vault warns about them).
    public private(set) var unknown: [String] = []

    /// Coerces every declared field of `raw`; throws for the first (by name) that does not fit its type.
    public init(raw: [String: VaultValue], schema: [FieldSchema]) throws(FieldError) {
        for field in schema {
            if let d = field.defaultValue, let value = try field.type.coerce(d, field: field.name) {
                defaults[field.name] = value
            }
        }
        let declared = Dictionary(schema.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (name, value) in raw.sorted(by: { $0.key < $1.key }) {
            guard let field = declared[name] else { unknown.append(name); continue }
            if let coerced = try field.type.coerce(value, field: name) { given[name] = coerced }
        }
    }

    /// No fields.
    public init() {}

    /// The given value, else the default (Vault's `Get`).
    public func get(_ name: String) -> VaultValue? { given[name] ?? defaults[name] }

    /// Whether the request set the field (Vault's `GetOk`).
    public func isGiven(_ name: String) -> Bool { given[name] != nil }

    /// Only what the request gave: reads of absent fields are nil, not the default.
    public var explicit: FieldData {
        var copy = self
        copy.defaults = [:]
        return copy
    }

    public func string(_ name: String) -> String? { get(name)?.stringValue }
    public func int(_ name: String) -> Int? { get(name)?.intValue }
    /// False when absent without a default.
    public func bool(_ name: String) -> Bool { get(name)?.boolValue ?? false }
    /// Seconds.
    public func duration(_ name: String) -> Int? { get(name)?.intValue }
    public func stringList(_ name: String) -> [String]? { get(name)?.listValue?.compactMap(\.stringValue) }
    public func map(_ name: String) -> [String: VaultValue]? { get(name)?.objectValue }
}
