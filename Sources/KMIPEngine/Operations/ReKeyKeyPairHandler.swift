import KMIP
import KMIPCrypto
import KMIPStore

extension ReKeyKeyPairRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.reKeyKeyPair, roleFlag: "operation_rekey_key_pair",
                                                  undo: .reversible, work: .heavy)
    var auditedObjects: AuditedObjects { .objects(privateKeyUniqueIdentifier.map { [$0] } ?? []) }
    static func auditedObjects(of response: ReKeyKeyPairResponsePayload) -> [String] {
        [response.privateKeyUniqueIdentifier, response.publicKeyUniqueIdentifier]
    }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> ReKeyKeyPairResponsePayload {
        try await engine.reKeyKeyPair(self, &context)
    }
}

extension KMIPEngine {
    /// Re-key Key Pair: a fresh pair of the old pair's kind and length, with the old keys' client
    /// attributes (templates override them), dates moved as Re-key moves them. The Names move to
    /// the new keys; Replacement/Replaced Object Links join old and new, on both halves.
    ///
    /// Storage: the new public key is stored with the old public key's change (one transaction),
    /// then the new private key with the old private key's change (a second one). If the second
    /// fails after the first succeeded, the new public key stays, linked to a private key that does
    /// not exist; the ObjectStore has no multi-object transaction yet.
    func reKeyKeyPair(_ request: ReKeyKeyPairRequestPayload, _ context: inout OperationContext) async throws -> ReKeyKeyPairResponsePayload {
        let oldPrivate = try await record(request.privateKeyUniqueIdentifier, context)
        guard oldPrivate.objectType == .privateKey else {
            throw KMIPError(.invalidField, "Re-key Key Pair applies to Private Keys; use Re-key for symmetric keys")
        }
        guard !oldPrivate.state.isDestroyed, let oldValue = try oldPrivate.value() else {
            throw KMIPError(.itemNotFound, "object \(oldPrivate.uniqueIdentifier) has been destroyed")
        }
        guard let oldKey = try Self.asymmetricKey(of: oldValue, attributes: oldPrivate.attributes, stored: true) else {
            throw KMIPError(.illegalOperation, "the private key is wrapped; it cannot be re-keyed")
        }
        let publicID = oldPrivate.attributes.linked(.publicKeyLink)
        var oldPublic: ManagedObjectRecord?
        if let publicID {
            oldPublic = try? await record(publicID, context)
        }

        let algorithm = oldPrivate.cryptographicAlgorithm ?? oldKey.cryptographicAlgorithm
        let length = oldPrivate.cryptographicLength ?? Int32(oldKey.bitLength)
        let spec = KeyPairSpec(kind: oldKey.kind, algorithm: algorithm, length: oldKey.kind == .rsa ? Int32(oldKey.bitLength) : length)
        let key = try await heavyWork(context) { try Self.generateKeyPair(spec) }

        let (privateTemplate, publicTemplate) = try await keyPairTemplates(
            request.commonTemplateAttribute, request.privateKeyTemplateAttribute, request.publicKeyTemplateAttribute, context)
        var privateInherited = Self.inheritedAttributes(oldPrivate.attributes)
        for (name, date) in Self.replacementDates(oldPrivate.attributes, offset: request.offset, now: context.now) {
            privateInherited.set(name, .dateTime(date))
        }
        var publicInherited = Self.inheritedAttributes(oldPublic?.attributes ?? [])
        for (name, date) in Self.replacementDates(oldPublic?.attributes ?? oldPrivate.attributes, offset: request.offset, now: context.now) {
            publicInherited.set(name, .dateTime(date))
        }
        var publicLinks: [Link] = []
        if let oldPublic { publicLinks.append(Link(.replacedObjectLink, oldPublic.uniqueIdentifier)) }
        let records = try keyPairRecords(key, spec: spec, privateTemplate: privateTemplate, publicTemplate: publicTemplate,
                                         privateInherited: privateInherited, publicInherited: publicInherited,
                                         privateLinks: [Link(.replacedObjectLink, oldPrivate.uniqueIdentifier)],
                                         publicLinks: publicLinks, context: context)
        let newPrivateID = records.private.uniqueIdentifier
        let newPublicID = records.public.uniqueIdentifier

        if let oldPublic {
            let seen = (oldPublic.names, oldPublic.state)
            _ = try await modify(oldPublic.uniqueIdentifier, &context, inserting: records.public) { attributes, current in
                guard current.names == seen.0, current.state == seen.1 else {
                    throw KMIPError(.illegalOperation, "object \(current.uniqueIdentifier) changed during Re-key Key Pair; retry")
                }
                Self.markReplaced(&attributes, by: newPublicID)
            }
        } else {
            try await objects.insert(records.public)
            context.journalCreated(records.public.uniqueIdentifier)
        }
        let seen = (oldPrivate.names, oldPrivate.state)
        _ = try await modify(oldPrivate.uniqueIdentifier, &context, inserting: records.private) { attributes, current in
            guard current.names == seen.0, current.state == seen.1 else {
                throw KMIPError(.illegalOperation, "object \(current.uniqueIdentifier) changed during Re-key Key Pair; retry")
            }
            Self.markReplaced(&attributes, by: newPrivateID)
        }
        context.idPlaceholder = newPrivateID
        var response = ReKeyKeyPairResponsePayload()
        response.privateKeyUniqueIdentifier = newPrivateID
        response.publicKeyUniqueIdentifier = newPublicID
        return response
    }

    /// The old key of a re-key: it loses its Names and points to its replacement.
    static func markReplaced(_ attributes: inout [Attribute], by newID: String) {
        attributes.remove(AttributeName.name)
        attributes.removeAll { $0.value(as: Link.self)?.linkType == .replacementObjectLink }
        attributes.append(Attribute(Link(.replacementObjectLink, newID)))
    }
}
