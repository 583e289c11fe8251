import KMIP
import KMIPCrypto
import KMIPStore

extension ReKeyRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.reKey, roleFlag: "operation_rekey",
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: ReKeyResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> ReKeyResponsePayload {
        try await engine.reKey(self, &context)
    }
}

extension KMIPEngine {
    /// Re-key: a fresh symmetric key with the old one's algorithm, length and client attributes.
    /// The Names move to the replacement; Replacement/Replaced Object Links join the two.
    func reKey(_ request: ReKeyRequestPayload, _ context: inout OperationContext) async throws -> ReKeyResponsePayload {
        let old = try await record(request.uniqueIdentifier, context)
        guard old.objectType == .symmetricKey else {
            throw KMIPError(.invalidField, "Re-key applies to Symmetric Keys; use Re-key Key Pair for key pairs")
        }
        guard !old.state.isDestroyed, case .symmetricKey(let oldKey)? = try old.value() else {
            throw KMIPError(.itemNotFound, "object \(old.uniqueIdentifier) has been destroyed")
        }
        guard let algorithm = old.cryptographicAlgorithm ?? oldKey.keyBlock.cryptographicAlgorithm,
              let length = old.cryptographicLength ?? oldKey.keyBlock.cryptographicLength else {
            throw KMIPError(.missingData, "the key has no Cryptographic Algorithm or Length to repeat")
        }
        let bytes = try Self.symmetricKeyBytes(algorithm: algorithm, length: length)
        let block = KeyBlock(keyFormatType: .raw, keyMaterial: .byteString(ByteString(try RNG.retrieve(count: bytes).bytes)),
                             cryptographicAlgorithm: algorithm, cryptographicLength: length)
        let value = ManagedObject.symmetricKey(SymmetricKey(block))

        var inherited = Self.inheritedAttributes(old.attributes)
        for (name, date) in Self.replacementDates(old.attributes, offset: request.offset, now: context.now) {
            inherited.set(name, .dateTime(date))
        }
        let template = try await expandingTemplates(request.templateAttribute ?? TemplateAttribute(), context)
        var attributes = try newObjectAttributes(objectType: .symmetricKey, template: template,
                                                 inherited: inherited, value: value, generated: true, context: context)
        let newID = attributes.first(AttributeName.uniqueIdentifier)?.value(as: String.self) ?? ""
        attributes.append(Attribute(Link(.replacedObjectLink, old.uniqueIdentifier)))

        // One transaction: the replacement is stored and the old key loses its Names and gains the
        // Replacement link together; if the old key changed since it was read, nothing is stored.
        let new = try ManagedObjectRecord(scopeID: context.scopeID, attributes: attributes, value: value)
        let seen = (old.names, old.state)
        _ = try await modify(old.uniqueIdentifier, &context, inserting: new) { oldAttributes, current in
            guard current.names == seen.0, current.state == seen.1 else {
                throw KMIPError(.illegalOperation, "object \(current.uniqueIdentifier) changed during Re-key; retry")
            }
            oldAttributes.remove(AttributeName.name)
            oldAttributes.removeAll { $0.value(as: Link.self)?.linkType == .replacementObjectLink }
            oldAttributes.append(Attribute(Link(.replacementObjectLink, newID)))
        }
        context.idPlaceholder = newID
        var response = ReKeyResponsePayload()
        response.uniqueIdentifier = newID
        return response
    }

    /// The replacement's lifecycle dates (KMIP 1.4 §4.4): without Offset, the old key's
    /// Activation, Process Start, Protect Stop and Deactivation Dates are copied; with Offset, the
    /// Activation Date is now + Offset and the other dates keep their distance to it.
    static func replacementDates(_ old: [Attribute], offset: Interval?, now: DateTime) -> [(String, DateTime)] {
        let names = [AttributeName.activationDate, AttributeName.processStartDate,
                     AttributeName.protectStopDate, AttributeName.deactivationDate]
        guard let offset else { return names.compactMap { name in old.date(name).map { (name, $0) } } }
        let activation = now.secondsSince1970 + Int64(offset.seconds)
        let shift = old.date(AttributeName.activationDate).map { activation - $0.secondsSince1970 }
        var dates = [(AttributeName.activationDate, DateTime(secondsSince1970: activation))]
        if let shift {
            for name in names.dropFirst() {
                if let date = old.date(name) { dates.append((name, DateTime(secondsSince1970: date.secondsSince1970 + shift))) }
            }
        }
        return dates
    }

    /// What a replacement key keeps of the old one: the client's attributes, not the server's
    /// bookkeeping, dates, links or lifecycle.
    static func inheritedAttributes(_ attributes: [Attribute]) -> [Attribute] {
        let dropped: Set<String> = serverOnlyAttributes.union([
            AttributeName.objectType, AttributeName.link, AttributeName.activationDate,
            AttributeName.deactivationDate, AttributeName.processStartDate, AttributeName.protectStopDate,
        ])
        return attributes.filter { !dropped.contains($0.attributeName) }.map {
            var a = $0
            a.attributeIndex = nil
            return a
        }
    }
}
