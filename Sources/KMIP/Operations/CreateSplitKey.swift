/// Create Split Key (KMIP 1.4 §4.38; since 1.2).
public struct CreateSplitKeyRequestPayload: KMIPStruct, Hashable {
    public var objectType = ObjectType.splitKey
    /// The key to split, if any.
    public var uniqueIdentifier: String?
    public var splitKeyParts: Int32 = 0
    public var splitKeyThreshold: Int32 = 0
    public var splitKeyMethod = SplitKeyMethod.xor
    public var primeFieldSize: BigInteger?
    public var templateAttribute = TemplateAttribute()
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.objectType, \.objectType),
        .optional(.uniqueIdentifier, \.uniqueIdentifier),
        .required(.splitKeyParts, \.splitKeyParts),
        .required(.splitKeyThreshold, \.splitKeyThreshold),
        .required(.splitKeyMethod, \.splitKeyMethod),
        .optional(.primeFieldSize, \.primeFieldSize),
        .required(.templateAttribute, \.templateAttribute),
    ]
}

public struct CreateSplitKeyResponsePayload: KMIPStruct, Hashable {
    /// Only in the KMIP 1.2 table (dropped from 1.3 on); leave nil when answering 1.3 and later.
    public var objectType: ObjectType?
    /// The new split keys: one or more.
    public var uniqueIdentifiers: [String] = []
    public var templateAttribute: TemplateAttribute?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.objectType, \.objectType),
        .repeated(.uniqueIdentifier, \.uniqueIdentifiers),
        .optional(.templateAttribute, \.templateAttribute),
    ]
}
