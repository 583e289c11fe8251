/// Key Block (KMIP 1.4 §2.1.3): the key material of a key, secret data or split key, in a Key
/// Format Type, possibly wrapped.
public struct KeyBlock: KMIPStruct, Hashable {
    public var keyFormatType = KeyFormatType.raw
    public var keyCompressionType: KeyCompressionType?
    /// Absent when the object was registered without it (Key Value Location, since 1.2).
    public var keyValue: KeyValueField?
    /// Omitted for Secret Data, and when the Key Value tells it.
    public var cryptographicAlgorithm: CryptographicAlgorithm?
    public var cryptographicLength: Int32?
    /// Present when the Key Value is wrapped.
    public var keyWrappingData: KeyWrappingData?

    public init() {}
    public init(keyFormatType: KeyFormatType, keyMaterial: KeyMaterial, attributes: [Attribute] = [],
                cryptographicAlgorithm: CryptographicAlgorithm? = nil, cryptographicLength: Int32? = nil) {
        self.keyFormatType = keyFormatType
        self.keyValue = .plain(KeyValue(keyMaterial, attributes: attributes))
        self.cryptographicAlgorithm = cryptographicAlgorithm
        self.cryptographicLength = cryptographicLength
    }

    /// A Key Value structure followed by Key Wrapping Data holds wrapped Key Material (No Encoding,
    /// as TC-WRAP-1-14 and PyKMIP register it): never key material in the clear.
    public mutating func validateDecoded() throws {
        guard keyWrappingData != nil, case .plain(let value)? = keyValue else { return }
        guard value.attributes.isEmpty, case .byteString(let wrapped) = value.keyMaterial else {
            throw TTLVError(.invalidValue, offset: nil, tag: .keyValue,
                            "a wrapped Key Value structure holds the wrapped Key Material alone")
        }
        keyValue = .wrappedKeyMaterial(wrapped)
    }

    /// The Key Value in the clear; nil when wrapped or absent.
    public var plainKeyValue: KeyValue? {
        if case .plain(let v)? = keyValue { return v }
        return nil
    }

    public static let fields: [Field<Self>] = [
        .required(.keyFormatType, \.keyFormatType),
        .optional(.keyCompressionType, \.keyCompressionType),
        .custom(.keyValue, .optional, decode: { root, e, c in
            switch e.type {
            case .byteString: root.keyValue = .wrapped(ByteString(e.bytes))
            case .structure:
                // The Key Material's form follows this Key Block's Key Format Type.
                let outer = c.keyFormatType
                c.keyFormatType = root.keyFormatType
                defer { c.keyFormatType = outer }
                root.keyValue = .plain(try KeyValue.decode(e, &c))
            default:
                throw TTLVError(.unexpectedType, offset: e.offset, tag: e.tag,
                                "Key Value is a Structure or, wrapped, a Byte String; found \(e.type.specName)")
            }
        }, encode: { root, w, c in
            switch root.keyValue {
            case .plain(let v)?: v.encode(tag: .keyValue, to: &w, c)
            case .wrapped(let b)?: w.byteString(.keyValue, b.bytes)
            case .wrappedKeyMaterial(let b)?:
                w.structure(.keyValue) { $0.byteString(.keyMaterial, b.bytes) }
            case nil: break
            }
        }),
        .optional(.cryptographicAlgorithm, \.cryptographicAlgorithm),
        .optional(.cryptographicLength, \.cryptographicLength),
        .optional(.keyWrappingData, \.keyWrappingData),
    ]
}

/// The Key Value of a Key Block: a structure in the clear, a Byte String when wrapped.
public enum KeyValueField: Hashable, Sendable, CustomStringConvertible {
    case plain(KeyValue)
    /// The wrapped (encrypted and/or MACed) Key Value; Key Wrapping Data says how.
    case wrapped(ByteString)
    /// Key material wrapped alone (Encoding Option No Encoding), sent inside a Key Value structure
    /// as its Key Material, the shape KMIP 1.4's TC-WRAP cases show and PyKMIP decodes; a decoded
    /// Key Block with Key Wrapping Data reads a structured Key Value this way.
    case wrappedKeyMaterial(ByteString)

    public var description: String {
        switch self {
        case .plain(let v): "plain(\(v))"
        case .wrapped(let b): "wrapped(\(b.count) bytes)"
        case .wrappedKeyMaterial(let b): "wrappedKeyMaterial(\(b.count) bytes)"
        }
    }
}

/// Key Value (§2.1.4): the key material and attributes bound to it (wrapped with it).
public struct KeyValue: KMIPStruct, Hashable {
    public var keyMaterial = KeyMaterial.byteString(ByteString([]))
    public var attributes: [Attribute] = []

    public init() {}
    public init(_ keyMaterial: KeyMaterial, attributes: [Attribute] = []) {
        self.keyMaterial = keyMaterial
        self.attributes = attributes
    }

    /// The Key Material's form follows the enclosing Key Block's Key Format Type (`DecodingContext`);
    /// without one, a structured Key Material stays generic (`.other`).
    public static let fields: [Field<Self>] = [
        .custom(.keyMaterial, .required, decode: { root, e, c in
            root.keyMaterial = try KeyMaterial.decode(e, keyFormatType: c.keyFormatType, &c)
        }, encode: { root, w, c in root.keyMaterial.encode(tag: .keyMaterial, to: &w, c) }),
        .repeated(.attribute, \.attributes),
    ]

    /// Decodes a TTLV-encoded Key Value, e.g. one just unwrapped.
    public init(ttlv bytes: [UInt8], keyFormatType: KeyFormatType, context: DecodingContext = DecodingContext()) throws {
        var context = context
        self = try bytes.withUnsafeBytes { raw in
            let root = try TTLVReader.validate(raw, limits: context.limits)
            guard root.tag == .keyValue else { throw TTLVError(.unexpectedTag, offset: 0, tag: root.tag, "expected KeyValue") }
            context.keyFormatType = keyFormatType
            return try KeyValue.decode(root, &context)
        }
    }
}

/// Key Material (§2.1.4): a Byte String (Raw, Opaque, PKCS#1, PKCS#8, X.509, ECPrivateKey, PKCS#12)
/// or a transparent structure chosen by the Key Block's Key Format Type. Secret: its description
/// and mirror never show the bytes.
public enum KeyMaterial: Hashable, Sendable, CustomStringConvertible, CustomReflectable {
    case byteString(ByteString)
    case transparentSymmetricKey(TransparentSymmetricKey)
    case transparentDSAPrivateKey(TransparentDSAPrivateKey)
    case transparentDSAPublicKey(TransparentDSAPublicKey)
    case transparentRSAPrivateKey(TransparentRSAPrivateKey)
    case transparentRSAPublicKey(TransparentRSAPublicKey)
    case transparentDHPrivateKey(TransparentDHPrivateKey)
    case transparentDHPublicKey(TransparentDHPublicKey)
    /// Transparent EC, ECDSA, ECDH and ECMQV Private Key: the same fields (the format is in the Key Block).
    case transparentECPrivateKey(TransparentECPrivateKey)
    /// Transparent EC, ECDSA, ECDH and ECMQV Public Key.
    case transparentECPublicKey(TransparentECPublicKey)
    /// A structure of an extension Key Format Type, or one decoded without its Key Format Type.
    case other(TTLV)

    /// Decodes for `keyFormatType`: transparent formats need their structure, the other spec
    /// formats a Byte String; extension formats (and a nil format) take either.
    public static func decode(_ e: TTLVElement, keyFormatType format: KeyFormatType?, _ c: inout DecodingContext) throws -> KeyMaterial {
        if let format, let transparent = transparentType(format) {
            guard e.type == .structure else {
                throw TTLVError(.unexpectedType, offset: e.offset, tag: e.tag, "Key Material of \(format) is a Structure, found \(e.type.specName)")
            }
            return try transparent.decode(e, &c).keyMaterial
        }
        switch e.type {
        case .byteString: return .byteString(ByteString(e.bytes))
        case .structure where format == nil || format!.rawValue & 0x8000_0000 != 0: return .other(TTLV(e))
        default:
            throw TTLVError(.unexpectedType, offset: e.offset, tag: e.tag,
                            "Key Material of \(format.map { "\($0)" } ?? "this format") is a Byte String, found \(e.type.specName)")
        }
    }

    /// The transparent structure of a Key Format Type; nil for Byte String and extension formats.
    public static func transparentType(_ format: KeyFormatType) -> (any TransparentKey.Type)? {
        switch format {
        case .transparentSymmetricKey: TransparentSymmetricKey.self
        case .transparentDSAPrivateKey: TransparentDSAPrivateKey.self
        case .transparentDSAPublicKey: TransparentDSAPublicKey.self
        case .transparentRSAPrivateKey: TransparentRSAPrivateKey.self
        case .transparentRSAPublicKey: TransparentRSAPublicKey.self
        case .transparentDHPrivateKey: TransparentDHPrivateKey.self
        case .transparentDHPublicKey: TransparentDHPublicKey.self
        case .transparentECDSAPrivateKey, .transparentECDHPrivateKey, .transparentECMQVPrivateKey, .transparentECPrivateKey:
            TransparentECPrivateKey.self
        case .transparentECDSAPublicKey, .transparentECDHPublicKey, .transparentECMQVPublicKey, .transparentECPublicKey:
            TransparentECPublicKey.self
        default: nil
        }
    }

    public func encode(tag: Tag, to w: inout TTLVWriter, _ c: EncodingContext) {
        switch self {
        case .byteString(let b): w.byteString(tag, b.bytes)
        case .transparentSymmetricKey(let k): k.encode(tag: tag, to: &w, c)
        case .transparentDSAPrivateKey(let k): k.encode(tag: tag, to: &w, c)
        case .transparentDSAPublicKey(let k): k.encode(tag: tag, to: &w, c)
        case .transparentRSAPrivateKey(let k): k.encode(tag: tag, to: &w, c)
        case .transparentRSAPublicKey(let k): k.encode(tag: tag, to: &w, c)
        case .transparentDHPrivateKey(let k): k.encode(tag: tag, to: &w, c)
        case .transparentDHPublicKey(let k): k.encode(tag: tag, to: &w, c)
        case .transparentECPrivateKey(let k): k.encode(tag: tag, to: &w, c)
        case .transparentECPublicKey(let k): k.encode(tag: tag, to: &w, c)
        case .other(let t): t.encode(tag: tag, to: &w, c)
        }
    }

    public var description: String {
        switch self {
        case .byteString(let b): "KeyMaterial(\(b.count) bytes)"
        case .other: "KeyMaterial(structure, redacted)"
        default: "KeyMaterial(transparent, redacted)"
        }
    }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// A transparent Key Material structure (§2.1.7). Secret: description and mirror are redacted.
public protocol TransparentKey: KMIPStruct, Hashable, CustomStringConvertible, CustomReflectable {
    var keyMaterial: KeyMaterial { get }
}

extension TransparentKey {
    public var description: String { "\(Self.self)(redacted)" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// Transparent Symmetric Key (§2.1.7.1).
public struct TransparentSymmetricKey: TransparentKey {
    public var key = ByteString([])
    public init() {}
    public init(_ key: ByteString) { self.key = key }
    public var keyMaterial: KeyMaterial { .transparentSymmetricKey(self) }
    public static let fields: [Field<Self>] = [.required(.key, \.key)]
}

/// Transparent DSA Private Key (§2.1.7.2).
public struct TransparentDSAPrivateKey: TransparentKey {
    public var p = BigInteger(encoded: [])
    public var q = BigInteger(encoded: [])
    public var g = BigInteger(encoded: [])
    public var x = BigInteger(encoded: [])
    public init() {}
    public var keyMaterial: KeyMaterial { .transparentDSAPrivateKey(self) }
    public static let fields: [Field<Self>] = [
        .required(.p, \.p), .required(.q, \.q), .required(.g, \.g), .required(.x, \.x),
    ]
}

/// Transparent DSA Public Key (§2.1.7.3).
public struct TransparentDSAPublicKey: TransparentKey {
    public var p = BigInteger(encoded: [])
    public var q = BigInteger(encoded: [])
    public var g = BigInteger(encoded: [])
    public var y = BigInteger(encoded: [])
    public init() {}
    public var keyMaterial: KeyMaterial { .transparentDSAPublicKey(self) }
    public static let fields: [Field<Self>] = [
        .required(.p, \.p), .required(.q, \.q), .required(.g, \.g), .required(.y, \.y),
    ]
}

/// Transparent RSA Private Key (§2.1.7.4): the modulus and any of the private parts.
public struct TransparentRSAPrivateKey: TransparentKey {
    public var modulus = BigInteger(encoded: [])
    public var privateExponent: BigInteger?
    public var publicExponent: BigInteger?
    public var p: BigInteger?
    public var q: BigInteger?
    public var primeExponentP: BigInteger?
    public var primeExponentQ: BigInteger?
    public var crtCoefficient: BigInteger?
    public init() {}
    public var keyMaterial: KeyMaterial { .transparentRSAPrivateKey(self) }
    public static let fields: [Field<Self>] = [
        .required(.modulus, \.modulus),
        .optional(.privateExponent, \.privateExponent),
        .optional(.publicExponent, \.publicExponent),
        .optional(.p, \.p),
        .optional(.q, \.q),
        .optional(.primeExponentP, \.primeExponentP),
        .optional(.primeExponentQ, \.primeExponentQ),
        .optional(.crtCoefficient, \.crtCoefficient),
    ]
}

/// Transparent RSA Public Key (§2.1.7.5).
public struct TransparentRSAPublicKey: TransparentKey {
    public var modulus = BigInteger(encoded: [])
    public var publicExponent = BigInteger(encoded: [])
    public init() {}
    public init(modulus: BigInteger, publicExponent: BigInteger) { self.modulus = modulus; self.publicExponent = publicExponent }
    public var keyMaterial: KeyMaterial { .transparentRSAPublicKey(self) }
    public static let fields: [Field<Self>] = [
        .required(.modulus, \.modulus),
        .required(.publicExponent, \.publicExponent),
    ]
}

/// Transparent DH Private Key (§2.1.7.6).
public struct TransparentDHPrivateKey: TransparentKey {
    public var p = BigInteger(encoded: [])
    public var q: BigInteger?
    public var g = BigInteger(encoded: [])
    public var j: BigInteger?
    public var x = BigInteger(encoded: [])
    public init() {}
    public var keyMaterial: KeyMaterial { .transparentDHPrivateKey(self) }
    public static let fields: [Field<Self>] = [
        .required(.p, \.p), .optional(.q, \.q), .required(.g, \.g), .optional(.j, \.j), .required(.x, \.x),
    ]
}

/// Transparent DH Public Key (§2.1.7.7).
public struct TransparentDHPublicKey: TransparentKey {
    public var p = BigInteger(encoded: [])
    public var q: BigInteger?
    public var g = BigInteger(encoded: [])
    public var j: BigInteger?
    public var y = BigInteger(encoded: [])
    public init() {}
    public var keyMaterial: KeyMaterial { .transparentDHPublicKey(self) }
    public static let fields: [Field<Self>] = [
        .required(.p, \.p), .optional(.q, \.q), .required(.g, \.g), .optional(.j, \.j), .required(.y, \.y),
    ]
}

/// Transparent EC Private Key (§2.1.7.14, since 1.3); also the deprecated Transparent ECDSA, ECDH
/// and ECMQV Private Key (§2.1.7.8/10/12), which have the same fields.
public struct TransparentECPrivateKey: TransparentKey {
    public var recommendedCurve = RecommendedCurve.p256
    public var d = BigInteger(encoded: [])
    public init() {}
    public var keyMaterial: KeyMaterial { .transparentECPrivateKey(self) }
    public static let fields: [Field<Self>] = [
        .required(.recommendedCurve, \.recommendedCurve),
        .required(.d, \.d),
    ]
}

/// Transparent EC Public Key (§2.1.7.15, since 1.3); also the deprecated Transparent ECDSA, ECDH
/// and ECMQV Public Key (§2.1.7.9/11/13).
public struct TransparentECPublicKey: TransparentKey {
    public var recommendedCurve = RecommendedCurve.p256
    /// The encoded point.
    public var qString = ByteString([])
    public init() {}
    public var keyMaterial: KeyMaterial { .transparentECPublicKey(self) }
    public static let fields: [Field<Self>] = [
        .required(.recommendedCurve, \.recommendedCurve),
        .required(.qString, \.qString),
    ]
}

public typealias TransparentECDSAPrivateKey = TransparentECPrivateKey
public typealias TransparentECDSAPublicKey = TransparentECPublicKey
public typealias TransparentECDHPrivateKey = TransparentECPrivateKey
public typealias TransparentECDHPublicKey = TransparentECPublicKey
public typealias TransparentECMQVPrivateKey = TransparentECPrivateKey
public typealias TransparentECMQVPublicKey = TransparentECPublicKey

/// Key Wrapping Data (§2.1.5): how a Key Value was wrapped.
public struct KeyWrappingData: KMIPStruct, Hashable {
    public var wrappingMethod = WrappingMethod.encrypt
    public var encryptionKeyInformation: EncryptionKeyInformation?
    public var macSignatureKeyInformation: MACSignatureKeyInformation?
    public var macSignature: ByteString?
    public var ivCounterNonce: ByteString?
    /// Absent: the wrapped Key Value is TTLV-encoded.
    public var encodingOption: EncodingOption?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.wrappingMethod, \.wrappingMethod),
        .optional(.encryptionKeyInformation, \.encryptionKeyInformation),
        .optional(.macSignatureKeyInformation, \.macSignatureKeyInformation),
        .optional(.macSignature, \.macSignature),
        .optional(.ivCounterNonce, \.ivCounterNonce),
        .optional(.encodingOption, \.encodingOption, since: .v1_1),
    ]
}

/// Key Wrapping Specification (§2.1.6): how a client asks for a key to be wrapped (Get, Export…).
public struct KeyWrappingSpecification: KMIPStruct, Hashable {
    public var wrappingMethod = WrappingMethod.encrypt
    public var encryptionKeyInformation: EncryptionKeyInformation?
    public var macSignatureKeyInformation: MACSignatureKeyInformation?
    /// Attributes to wrap with the key material in the Key Value.
    public var attributeNames: [String] = []
    public var encodingOption: EncodingOption?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.wrappingMethod, \.wrappingMethod),
        .optional(.encryptionKeyInformation, \.encryptionKeyInformation),
        .optional(.macSignatureKeyInformation, \.macSignatureKeyInformation),
        .repeated(.attributeName, \.attributeNames),
        .optional(.encodingOption, \.encodingOption, since: .v1_1),
    ]
}

/// Encryption Key Information (§2.1.5): the key that encrypts a wrapped Key Value.
public struct EncryptionKeyInformation: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public var cryptographicParameters: CryptographicParameters?
    public init() {}
    public init(_ uniqueIdentifier: String, _ parameters: CryptographicParameters? = nil) {
        self.uniqueIdentifier = uniqueIdentifier
        cryptographicParameters = parameters
    }
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.cryptographicParameters, \.cryptographicParameters),
    ]
}

/// MAC/Signature Key Information (§2.1.5): the key that MACs or signs a wrapped Key Value.
public struct MACSignatureKeyInformation: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    public var cryptographicParameters: CryptographicParameters?
    public init() {}
    public init(_ uniqueIdentifier: String, _ parameters: CryptographicParameters? = nil) {
        self.uniqueIdentifier = uniqueIdentifier
        cryptographicParameters = parameters
    }
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.cryptographicParameters, \.cryptographicParameters),
    ]
}
