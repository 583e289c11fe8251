/// A Managed Object structure (KMIP 1.4 §2.2), known by its own tag and Object Type.
public protocol ManagedObjectStruct: KMIPStruct, Hashable {
    static var objectType: ObjectType { get }
    static var tag: Tag { get }
    /// The first version that has this object.
    static var since: ProtocolVersion { get }
    var managedObject: ManagedObject { get }
}

extension ManagedObjectStruct {
    public static var since: ProtocolVersion { .v1_0 }
}

/// Certificate (§2.2.1).
public struct Certificate: ManagedObjectStruct {
    public static let objectType = ObjectType.certificate
    public static let tag = Tag.certificate
    public var certificateType = CertificateType.x509
    /// DER for X.509.
    public var certificateValue = ByteString([])
    public init() {}
    public init(_ type: CertificateType, _ value: ByteString) { certificateType = type; certificateValue = value }
    public var managedObject: ManagedObject { .certificate(self) }
    public static let fields: [Field<Self>] = [
        .required(.certificateType, \.certificateType),
        .required(.certificateValue, \.certificateValue),
    ]
}

/// Symmetric Key (§2.2.2).
public struct SymmetricKey: ManagedObjectStruct {
    public static let objectType = ObjectType.symmetricKey
    public static let tag = Tag.symmetricKey
    public var keyBlock = KeyBlock()
    public init() {}
    public init(_ keyBlock: KeyBlock) { self.keyBlock = keyBlock }
    public var managedObject: ManagedObject { .symmetricKey(self) }
    public static let fields: [Field<Self>] = [.required(.keyBlock, \.keyBlock)]
}

/// Public Key (§2.2.3).
public struct PublicKey: ManagedObjectStruct {
    public static let objectType = ObjectType.publicKey
    public static let tag = Tag.publicKey
    public var keyBlock = KeyBlock()
    public init() {}
    public init(_ keyBlock: KeyBlock) { self.keyBlock = keyBlock }
    public var managedObject: ManagedObject { .publicKey(self) }
    public static let fields: [Field<Self>] = [.required(.keyBlock, \.keyBlock)]
}

/// Private Key (§2.2.4).
public struct PrivateKey: ManagedObjectStruct {
    public static let objectType = ObjectType.privateKey
    public static let tag = Tag.privateKey
    public var keyBlock = KeyBlock()
    public init() {}
    public init(_ keyBlock: KeyBlock) { self.keyBlock = keyBlock }
    public var managedObject: ManagedObject { .privateKey(self) }
    public static let fields: [Field<Self>] = [.required(.keyBlock, \.keyBlock)]
}

/// Split Key (§2.2.5): one part of a key split by a secret-sharing method.
public struct SplitKey: ManagedObjectStruct {
    public static let objectType = ObjectType.splitKey
    public static let tag = Tag.splitKey
    public var splitKeyParts: Int32 = 0
    public var keyPartIdentifier: Int32 = 0
    public var splitKeyThreshold: Int32 = 0
    public var splitKeyMethod = SplitKeyMethod.xor
    /// Only for Polynomial Sharing Prime Field.
    public var primeFieldSize: BigInteger?
    public var keyBlock = KeyBlock()
    public init() {}
    public var managedObject: ManagedObject { .splitKey(self) }
    public static let fields: [Field<Self>] = [
        .required(.splitKeyParts, \.splitKeyParts),
        .required(.keyPartIdentifier, \.keyPartIdentifier),
        .required(.splitKeyThreshold, \.splitKeyThreshold),
        .required(.splitKeyMethod, \.splitKeyMethod),
        .optional(.primeFieldSize, \.primeFieldSize),
        .required(.keyBlock, \.keyBlock),
    ]
}

/// Template (§2.2.6, deprecated since 1.3): named attributes for creating objects.
public struct Template: ManagedObjectStruct {
    public static let objectType = ObjectType.template
    public static let tag = Tag.template
    /// One or more.
    public var attributes: [Attribute] = []
    public init() {}
    public init(_ attributes: [Attribute]) { self.attributes = attributes }
    public var managedObject: ManagedObject { .template(self) }
    public static let fields: [Field<Self>] = [.repeated(.attribute, \.attributes)]
}

/// Secret Data (§2.2.7): a password or seed in a Key Block.
public struct SecretData: ManagedObjectStruct {
    public static let objectType = ObjectType.secretData
    public static let tag = Tag.secretData
    public var secretDataType = SecretDataType.password
    public var keyBlock = KeyBlock()
    public init() {}
    public init(_ type: SecretDataType, _ keyBlock: KeyBlock) { secretDataType = type; self.keyBlock = keyBlock }
    public var managedObject: ManagedObject { .secretData(self) }
    public static let fields: [Field<Self>] = [
        .required(.secretDataType, \.secretDataType),
        .required(.keyBlock, \.keyBlock),
    ]
}

/// Opaque Object (§2.2.8): data the server does not interpret. Its description shows only the length.
public struct OpaqueObject: ManagedObjectStruct {
    public static let objectType = ObjectType.opaqueObject
    public static let tag = Tag.opaqueObject
    /// The spec defines no values; types are extensions (0x8XXXXXXX).
    public var opaqueDataType = OpaqueDataType(rawValue: 0x8000_0000)
    public var opaqueDataValue = ByteString([])
    public init() {}
    public init(_ type: OpaqueDataType, _ value: ByteString) { opaqueDataType = type; opaqueDataValue = value }
    public var managedObject: ManagedObject { .opaqueObject(self) }
    public static let fields: [Field<Self>] = [
        .required(.opaqueDataType, \.opaqueDataType),
        .required(.opaqueDataValue, \.opaqueDataValue),
    ]
}

/// PGP Key (§2.2.9, since 1.2).
public struct PGPKey: ManagedObjectStruct {
    public static let objectType = ObjectType.pgpKey
    public static let tag = Tag.pgpKey
    public static var since: ProtocolVersion { .v1_2 }
    public var pgpKeyVersion: Int32 = 4
    public var keyBlock = KeyBlock()
    public init() {}
    public var managedObject: ManagedObject { .pgpKey(self) }
    public static let fields: [Field<Self>] = [
        .required(.pgpKeyVersion, \.pgpKeyVersion),
        .required(.keyBlock, \.keyBlock),
    ]
}

/// A Managed Object of any type, as carried in Register, Get, Put…
public enum ManagedObject: Hashable, Sendable {
    case certificate(Certificate)
    case symmetricKey(SymmetricKey)
    case publicKey(PublicKey)
    case privateKey(PrivateKey)
    case splitKey(SplitKey)
    case template(Template)
    case secretData(SecretData)
    case opaqueObject(OpaqueObject)
    case pgpKey(PGPKey)

    /// Every object type of KMIP 1.4, in Object Type order.
    public static let types: [any ManagedObjectStruct.Type] = [
        Certificate.self, SymmetricKey.self, PublicKey.self, PrivateKey.self, SplitKey.self,
        Template.self, SecretData.self, OpaqueObject.self, PGPKey.self,
    ]

    /// The structure type of an Object Type; nil for types without one in 1.4 (Certificate Request, extensions).
    public static func structType(for objectType: ObjectType) -> (any ManagedObjectStruct.Type)? {
        types.first { $0.objectType == objectType }
    }

    public init(_ value: any ManagedObjectStruct) { self = value.managedObject }

    public var value: any ManagedObjectStruct {
        switch self {
        case .certificate(let v): v
        case .symmetricKey(let v): v
        case .publicKey(let v): v
        case .privateKey(let v): v
        case .splitKey(let v): v
        case .template(let v): v
        case .secretData(let v): v
        case .opaqueObject(let v): v
        case .pgpKey(let v): v
        }
    }

    public var objectType: ObjectType { Swift.type(of: value).objectType }
    public var tag: Tag { Swift.type(of: value).tag }

    /// The Key Block of a key, secret data or split key; nil for certificates, templates and opaque objects.
    public var keyBlock: KeyBlock? {
        switch self {
        case .symmetricKey(let v): v.keyBlock
        case .publicKey(let v): v.keyBlock
        case .privateKey(let v): v.keyBlock
        case .splitKey(let v): v.keyBlock
        case .secretData(let v): v.keyBlock
        case .pgpKey(let v): v.keyBlock
        case .certificate, .template, .opaqueObject: nil
        }
    }

    public func encode(to w: inout TTLVWriter, _ c: EncodingContext) {
        // A switch, not `value`: boxing the object in an existential on every encode costs an allocation.
        switch self {
        case .certificate(let v): v.encode(tag: Certificate.tag, to: &w, c)
        case .symmetricKey(let v): v.encode(tag: SymmetricKey.tag, to: &w, c)
        case .publicKey(let v): v.encode(tag: PublicKey.tag, to: &w, c)
        case .privateKey(let v): v.encode(tag: PrivateKey.tag, to: &w, c)
        case .splitKey(let v): v.encode(tag: SplitKey.tag, to: &w, c)
        case .template(let v): v.encode(tag: Template.tag, to: &w, c)
        case .secretData(let v): v.encode(tag: SecretData.tag, to: &w, c)
        case .opaqueObject(let v): v.encode(tag: OpaqueObject.tag, to: &w, c)
        case .pgpKey(let v): v.encode(tag: PGPKey.tag, to: &w, c)
        }
    }

    /// One optional field per object tag, so a payload recognises its object by its tag:
    /// `fields: [.required(.objectType, \.objectType), …] + ManagedObject.fields(\.object)`.
    /// A second object in the same structure is a duplicate field. The object is written once, by
    /// the first of these fields (they all stand at the same place in the structure).
    public static func fields<Root>(_ kp: WritableKeyPath<Root, ManagedObject?> & Sendable) -> [Field<Root>] {
        let p = Property(kp)
        let writeObject: @Sendable (Root, inout TTLVWriter, EncodingContext) -> Void = { root, w, c in
            p.read(root) { $0?.encode(to: &w, c) }
        }
        let skip: @Sendable (Root, inout TTLVWriter, EncodingContext) -> Void = { _, _, _ in }
        var fields: [Field<Root>] = []
        for (i, type) in types.enumerated() {
            let decode: @Sendable (inout Root, TTLVElement, inout DecodingContext) throws -> Void = { root, e, c in
                guard p.read(root, { $0 == nil }) else {
                    throw TTLVError(.duplicateField, offset: e.offset, tag: e.tag, "a second Managed Object (\(e.tag.xmlName))")
                }
                p.write(&root, try type.decode(e, &c).managedObject)
            }
            fields.append(.custom(type.tag, .optional, since: type.since, decode: decode, encode: i == 0 ? writeObject : skip))
        }
        return fields
    }
}
