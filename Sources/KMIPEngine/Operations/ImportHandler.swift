import KMIP
import KMIPStore

extension ImportRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.`import`, roleFlag: "operation_import",
                                                  undo: .irreversible)
    var auditedObjects: AuditedObjects { .objects([uniqueIdentifier]) }
    static func auditedObjects(of response: ImportResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> ImportResponsePayload {
        try await engine.importObject(self, &context)
    }
}

extension KMIPEngine {
    /// Import (KMIP 1.4 §4.41, since 1.4): stores an object under the client's Unique Identifier
    /// with the attributes supplied (they are not subject to the "set by the server" rules); an
    /// attribute the client leaves out gets the value Register would give it. An existing object
    /// with that identifier is replaced only with Replace Existing true. Wrapped keys are stored as
    /// given (Key Wrap Type As Registered); the server does not unwrap (Not Wrapped is refused).
    /// Public and Private Keys are checked as Register checks them.
    func importObject(_ request: ImportRequestPayload, _ context: inout OperationContext) async throws -> ImportResponsePayload {
        guard context.version >= .v1_4 else {
            throw KMIPError(.operationNotSupported, "Import exists from KMIP 1.4")
        }
        guard !request.uniqueIdentifier.isEmpty else {
            throw KMIPError(.invalidField, "Import needs a Unique Identifier")
        }
        guard let object = request.object else {
            throw KMIPError(.missingData, "Import needs the object to import")
        }
        if request.keyWrapType == .notWrapped, object.keyBlock?.keyWrappingData != nil {
            throw KMIPError(.keyWrapTypeNotSupported, "the server does not unwrap imported keys; use Key Wrap Type As Registered")
        }
        try Self.checkRegistered(object)
        let supplied = try Self.checkClientAttributes(request.attributes, objectType: object.objectType, version: context.version, restoring: true)
        try Self.checkAsymmetricMaterial(object, attributes: supplied)

        var attributes = try newObjectAttributes(objectType: object.objectType, template: TemplateAttribute(),
                                                 value: object, context: context)
        var replacedNames: Set<String> = []
        for attribute in supplied {
            let name = attribute.attributeName
            if attribute.definition?.multiValued ?? true {
                if replacedNames.insert(name).inserted { attributes.remove(name) }
                attributes.append(attribute)
            } else {
                attributes.set(attribute)
            }
        }
        attributes.set(AttributeName.uniqueIdentifier, .textString(request.uniqueIdentifier))
        attributes.set(Attribute(object.objectType))
        let record = try ManagedObjectRecord(scopeID: context.scopeID, attributes: attributes, value: object)

        if try await objects.object(scopeID: context.scopeID, uniqueIdentifier: request.uniqueIdentifier) != nil {
            try Self.checkReplacement(request, context)
            // The object is checked and replaced in one transaction: no change slips in between.
            let now = context.now
            _ = try await objects.modify(scopeID: context.scopeID, uniqueIdentifier: request.uniqueIdentifier, inserting: nil) { current in
                try Self.checkReplaceable(current, now: now)
                current = record
            }
        } else {
            try await objects.insert(record)
        }
        context.idPlaceholder = request.uniqueIdentifier
        var response = ImportResponsePayload()
        response.uniqueIdentifier = request.uniqueIdentifier
        return response
    }

    /// Replacing an object destroys it: Replace Existing must be asked for, and the role must
    /// allow Destroy too.
    static func checkReplacement(_ request: ImportRequestPayload, _ context: OperationContext) throws {
        guard request.replaceExisting == true else {
            throw KMIPError(.illegalOperation, "object \(request.uniqueIdentifier) exists; set Replace Existing to replace it")
        }
        guard context.role.allows(.destroy) else {
            throw KMIPError(.permissionDenied, "replacing object \(request.uniqueIdentifier) destroys it; role \(context.role.name) may not perform Destroy")
        }
    }

    /// What Destroy would refuse, Replace refuses: an Active object (others may be using it), a
    /// destroyed one (its identifier is not reused), and one whose key must never leave the server
    /// (Extractable false) is never overwritten by one from outside.
    static func checkReplaceable(_ existing: ManagedObjectRecord, now: DateTime) throws {
        let uid = existing.uniqueIdentifier
        if existing.attributes.first(AttributeName.extractable)?.value(as: Bool.self) == false {
            throw KMIPError(.permissionDenied, "object \(uid) is not extractable; it cannot be replaced")
        }
        switch existing.effectiveState(at: now) {
        case .active:
            throw KMIPError(.permissionDenied, "object \(uid) is Active; Revoke it before replacing it")
        case .destroyed, .destroyedCompromised:
            throw KMIPError(.permissionDenied, "object \(uid) has been destroyed; its identifier is not reused")
        default:
            break
        }
    }
}
