/// Attribute (KMIP 1.4 §2.1.1): a name, an optional index, and a value whose type the name decides.
///
/// A known attribute's value must have the item type of its spec table and, for enumerations, a
/// defined value. Custom (`x-`/`y-`) and unknown names keep their value as it came.
public struct Attribute: KMIPStruct, Hashable {
    public var attributeName = ""
    public var attributeIndex: Int32?
    public var attributeValue = AttributeValue.textString("")

    public init() {}
    public init(name: String, index: Int32? = nil, value: AttributeValue) {
        attributeName = name
        attributeIndex = index
        attributeValue = value
    }

    /// An attribute whose value is a structure: `Attribute(Name("key-1"))`, `Attribute(Link(.publicKeyLink, id))`.
    public init<S: AttributeStructure>(_ value: S, index: Int32? = nil) {
        self.init(name: S.attributeName, index: index, value: .structure(value))
    }

    /// An enumerated attribute, named after its enumeration: `Attribute(CryptographicAlgorithm.aes)`, `Attribute(State.active)`.
    public init<E: KMIPEnumeration>(_ value: E, index: Int32? = nil) {
        assert(AttributeDefinitions.named(E.definition.name)?.itemType == .enumeration, "\(E.definition.name) is not an attribute")
        self.init(name: E.definition.name, index: index, value: .enumeration(value.rawValue))
    }

    /// A mask attribute: `Attribute(CryptographicUsageMask([.encrypt, .decrypt]))`.
    public init<M: KMIPMask>(_ value: M) {
        assert(AttributeDefinitions.named(M.definition.name)?.itemType == .integer, "\(M.definition.name) is not an attribute")
        self.init(name: M.definition.name, value: .integer(Int32(bitPattern: value.rawValue)))
    }

    /// The spec's definition of this attribute; nil for an unknown name.
    public var definition: AttributeDefinition? { AttributeDefinitions.named(attributeName) }

    /// The value as `type`, or nil when it is of another type (see `AttributeValue.value(as:)`).
    public func value<T>(as type: T.Type) -> T? { attributeValue.value(as: type) }

    public static let fields: [Field<Self>] = [
        .required(.attributeName, \.attributeName),
        .optional(.attributeIndex, \.attributeIndex),
        .custom(.attributeValue, .required, decode: { root, e, c in
            guard !root.attributeName.isEmpty else {
                throw TTLVError(.unexpectedTag, offset: e.offset, tag: e.tag, "Attribute Value precedes its Attribute Name")
            }
            root.attributeValue = try AttributeValue.decode(e, attributeName: root.attributeName, &c)
        }, encode: { root, w, c in root.attributeValue.encode(tag: .attributeValue, to: &w, c) }),
    ]
}

/// A structure that is the value of one attribute (Name, Link, Digest…).
public protocol AttributeStructure: KMIPStruct {
    /// The Attribute Name whose value this structure is.
    static var attributeName: String { get }
}

/// The value of an Attribute.
public enum AttributeValue: Sendable, Hashable {
    case integer(Int32)
    case longInteger(Int64)
    case bigInteger(BigInteger)
    /// An enumeration's raw value; read it typed with `value(as: State.self)`.
    case enumeration(UInt32)
    case boolean(Bool)
    case textString(String)
    case byteString(ByteString)
    case dateTime(DateTime)
    case interval(Interval)
    /// A typed structure (Name, Link, Cryptographic Parameters…).
    case structure(any KMIPStruct)
    /// A Custom Attribute's or an unknown attribute's value, any item type, exactly as it came.
    case raw(TTLV)

    /// A primitive value; nil for a structure (which needs its attribute's type).
    public init?(_ value: TTLV.Value) {
        switch value {
        case .integer(let v): self = .integer(v)
        case .longInteger(let v): self = .longInteger(v)
        case .bigInteger(let v): self = .bigInteger(v)
        case .enumeration(let v): self = .enumeration(v)
        case .boolean(let v): self = .boolean(v)
        case .textString(let v): self = .textString(v)
        case .byteString(let v): self = .byteString(v)
        case .dateTime(let v): self = .dateTime(v)
        case .interval(let v): self = .interval(v)
        case .structure, .dateTimeExtended: return nil
        }
    }

    public var itemType: ItemType {
        switch self {
        case .integer: .integer
        case .longInteger: .longInteger
        case .bigInteger: .bigInteger
        case .enumeration: .enumeration
        case .boolean: .boolean
        case .textString: .textString
        case .byteString: .byteString
        case .dateTime: .dateTime
        case .interval: .interval
        case .structure: .structure
        case .raw(let t): t.value.itemType
        }
    }

    /// The value as `type`: the Swift type of its case (Int32, String, DateTime, Name…), an
    /// enumeration type for `.enumeration`, a mask type for `.integer`, or `TTLV` for `.raw`.
    public func value<T>(as type: T.Type) -> T? {
        switch self {
        case .integer(let v):
            if let M = T.self as? any KMIPMask.Type { return M.init(rawValue: UInt32(bitPattern: v)) as? T }
            return v as? T
        case .enumeration(let v):
            if let E = T.self as? any KMIPEnumeration.Type { return E.init(rawValue: v) as? T }
            return v as? T
        case .longInteger(let v): return v as? T
        case .bigInteger(let v): return v as? T
        case .boolean(let v): return v as? T
        case .textString(let v): return v as? T
        case .byteString(let v): return v as? T
        case .dateTime(let v): return v as? T
        case .interval(let v): return v as? T
        case .structure(let v): return v as? T
        case .raw(let t):
            if let v = t as? T { return v }
            return AttributeValue(t.value)?.value(as: type)
        }
    }

    /// Decodes the value of the attribute named `attributeName`, checked against its definition.
    public static func decode(_ e: TTLVElement, attributeName: String, _ c: inout DecodingContext) throws -> AttributeValue {
        guard let definition = AttributeDefinitions.named(attributeName) else { return .raw(TTLV(e)) }
        if let expected = definition.itemType, e.type != expected {
            throw TTLVError(.unexpectedType, offset: e.offset, tag: e.tag,
                            "\(attributeName) must be \(expected.specName), found \(e.type.specName)")
        }
        switch definition.kind {
        case .any: return .raw(TTLV(e))
        case .structure(let type): return .structure(try type.decode(e, &c))
        case .mask: return .integer(e.int32)
        case .enumeration(let d):
            guard d.accepts(e.uint32) else {
                throw TTLVError(.unknownEnumeration, offset: e.offset, tag: e.tag,
                                "0x\(String(e.uint32, radix: 16)) is not a \(d.name) value")
            }
            return .enumeration(e.uint32)
        case .primitive:
            // Any primitive element maps to its case (never nil here).
            return AttributeValue(TTLV(e).value) ?? .raw(TTLV(e))
        }
    }

    public func encode(tag: Tag, to w: inout TTLVWriter, _ c: EncodingContext) {
        switch self {
        case .integer(let v): w.integer(tag, v)
        case .longInteger(let v): w.longInteger(tag, v)
        case .bigInteger(let v): w.bigInteger(tag, v.bytes)
        case .enumeration(let v): w.enumeration(tag, v)
        case .boolean(let v): w.boolean(tag, v)
        case .textString(let v): w.textString(tag, v)
        case .byteString(let v): w.byteString(tag, v.bytes)
        case .dateTime(let v): w.dateTime(tag, v.secondsSince1970)
        case .interval(let v): w.interval(tag, v.seconds)
        case .structure(let v): v.encode(tag: tag, to: &w, c)
        case .raw(let t): w.write(TTLV(tag, t.value))
        }
    }

    /// The value as a generic item under `tag` (structures encoded in `context`'s version).
    public func ttlv(tag: Tag = .attributeValue, context: EncodingContext = EncodingContext()) -> TTLV {
        switch self {
        case .integer(let v): TTLV(tag, .integer(v))
        case .longInteger(let v): TTLV(tag, .longInteger(v))
        case .bigInteger(let v): TTLV(tag, .bigInteger(v))
        case .enumeration(let v): TTLV(tag, .enumeration(v))
        case .boolean(let v): TTLV(tag, .boolean(v))
        case .textString(let v): TTLV(tag, .textString(v))
        case .byteString(let v): TTLV(tag, .byteString(v))
        case .dateTime(let v): TTLV(tag, .dateTime(v))
        case .interval(let v): TTLV(tag, .interval(v))
        case .structure(let v): v.ttlv(tag: tag, context: context)
        case .raw(let t): TTLV(tag, t.value)
        }
    }

    /// Two values are equal when they encode the same.
    public static func == (a: AttributeValue, b: AttributeValue) -> Bool { a.ttlv() == b.ttlv() }
    public func hash(into h: inout Hasher) { h.combine(ttlv()) }
}
