/// Notify (KMIP 1.4 §5.1): server-to-client message about changed attributes.
public struct NotifyRequestPayload: KMIPStruct, Hashable {
    public var uniqueIdentifier = ""
    /// One or more; a deleted attribute comes without its Attribute Value.
    public var attributes: [NotifiedAttribute] = []
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.uniqueIdentifier, \.uniqueIdentifier),
        .repeated(.attribute, \.attributes),
    ]
}

/// The spec defines no response payload fields for Notify.
public struct NotifyResponsePayload: KMIPStruct, Hashable {
    public init() {}
    public static let fields: [Field<Self>] = []
}

/// An Attribute as Notify carries it: the one place where the Attribute Value may be absent
/// (the attribute was deleted).
public struct NotifiedAttribute: KMIPStruct, Hashable {
    public var attributeName = ""
    public var attributeIndex: Int32?
    /// Absent for a deleted attribute.
    public var attributeValue: AttributeValue?
    public init() {}
    public init(_ attribute: Attribute) {
        attributeName = attribute.attributeName
        attributeIndex = attribute.attributeIndex
        attributeValue = attribute.attributeValue
    }
    public static let fields: [Field<Self>] = [
        .required(.attributeName, \.attributeName),
        .optional(.attributeIndex, \.attributeIndex),
        .custom(.attributeValue, .optional, decode: { root, e, c in
            root.attributeValue = try AttributeValue.decode(e, attributeName: root.attributeName, &c)
        }, encode: { root, w, c in root.attributeValue?.encode(tag: .attributeValue, to: &w, c) }),
    ]
}
