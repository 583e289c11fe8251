/// Create Key Pair (KMIP 1.4 §4.2).
public struct CreateKeyPairRequestPayload: KMIPStruct, Hashable {
    public var commonTemplateAttribute: TemplateAttribute?
    public var privateKeyTemplateAttribute: TemplateAttribute?
    public var publicKeyTemplateAttribute: TemplateAttribute?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.commonTemplateAttribute, \.commonTemplateAttribute),
        .optional(.privateKeyTemplateAttribute, \.privateKeyTemplateAttribute),
        .optional(.publicKeyTemplateAttribute, \.publicKeyTemplateAttribute),
    ]
}

public struct CreateKeyPairResponsePayload: KMIPStruct, Hashable {
    public var privateKeyUniqueIdentifier = ""
    public var publicKeyUniqueIdentifier = ""
    public var privateKeyTemplateAttribute: TemplateAttribute?
    public var publicKeyTemplateAttribute: TemplateAttribute?
    /// The KMIP 1.0 use-case document names both keys with plain Unique Identifier tags (private
    /// first). Such a response is read, and written back the same way so that nothing changes.
    public var usesUniqueIdentifierTags = false
    public init() {}
    public static let fields: [Field<Self>] = [
        .custom(.uniqueIdentifier, .repeated, decode: { root, e, c in
            root.usesUniqueIdentifierTags = true
            let id = try String.decode(e, &c)
            if root.privateKeyUniqueIdentifier.isEmpty { root.privateKeyUniqueIdentifier = id }
            else { root.publicKeyUniqueIdentifier = id }
        }, encode: { root, w, c in
            guard root.usesUniqueIdentifierTags else { return }
            w.textString(.uniqueIdentifier, root.privateKeyUniqueIdentifier)
            w.textString(.uniqueIdentifier, root.publicKeyUniqueIdentifier)
        }),
        .custom(.privateKeyUniqueIdentifier, .optional, decode: { root, e, c in
            root.privateKeyUniqueIdentifier = try .decode(e, &c)
        }, encode: { root, w, c in
            if !root.usesUniqueIdentifierTags { w.textString(.privateKeyUniqueIdentifier, root.privateKeyUniqueIdentifier) }
        }),
        .custom(.publicKeyUniqueIdentifier, .optional, decode: { root, e, c in
            root.publicKeyUniqueIdentifier = try .decode(e, &c)
        }, encode: { root, w, c in
            if !root.usesUniqueIdentifierTags { w.textString(.publicKeyUniqueIdentifier, root.publicKeyUniqueIdentifier) }
        }),
        .optional(.privateKeyTemplateAttribute, \.privateKeyTemplateAttribute),
        .optional(.publicKeyTemplateAttribute, \.publicKeyTemplateAttribute),
    ]

    public func validateDecoded() throws {
        guard !privateKeyUniqueIdentifier.isEmpty, !publicKeyUniqueIdentifier.isEmpty else {
            throw TTLVError(.missingField, tag: .responsePayload, "Create Key Pair response lacks a private or public key Unique Identifier")
        }
    }
}
