/// Join Split Key (KMIP 1.4 §4.39; since 1.2).
public struct JoinSplitKeyRequestPayload: KMIPStruct, Hashable {
    public var objectType = ObjectType.symmetricKey
    /// The split keys to combine: at least Split Key Threshold of them.
    public var uniqueIdentifiers: [String] = []
    public var secretDataType: SecretDataType?
    public var templateAttribute: TemplateAttribute?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.objectType, \.objectType),
        .repeated(.uniqueIdentifier, \.uniqueIdentifiers),
        .optional(.secretDataType, \.secretDataType),
        .optional(.templateAttribute, \.templateAttribute),
    ]
}

public struct JoinSplitKeyResponsePayload: KMIPStruct, Hashable {
    /// Only in the KMIP 1.2 table (dropped from 1.3 on); leave nil when answering 1.3 and later.
    public var objectType: ObjectType?
    public var uniqueIdentifier = ""
    public var templateAttribute: TemplateAttribute?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.objectType, \.objectType),
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .optional(.templateAttribute, \.templateAttribute),
    ]
}
