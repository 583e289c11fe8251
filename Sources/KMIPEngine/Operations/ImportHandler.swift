import KMIP
import KMIPStore

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

        if let existing = try await objects.object(scopeID: context.scopeID, uniqueIdentifier: request.uniqueIdentifier) {
            try Self.checkReplacement(existing, request, context)
            try await objects.update(record)
        } else {
            try await objects.insert(record)
        }
        context.idPlaceholder = request.uniqueIdentifier
        var response = ImportResponsePayload()
        response.uniqueIdentifier = request.uniqueIdentifier
        return response
    }

    /// Replacing an object destroys it: the role must allow Destroy too, and an object whose key
    /// must never leave the server (Extractable false) is never overwritten by one from outside.
    static func checkReplacement(_ existing: ManagedObjectRecord, _ request: ImportRequestPayload,
                                 _ context: OperationContext) throws {
        guard request.replaceExisting == true else {
            throw KMIPError(.illegalOperation, "object \(request.uniqueIdentifier) exists; set Replace Existing to replace it")
        }
        guard context.role.allows(.destroy) else {
            throw KMIPError(.permissionDenied, "replacing object \(request.uniqueIdentifier) destroys it; role \(context.role.name) may not perform Destroy")
        }
        if existing.attributes.first(AttributeName.extractable)?.value(as: Bool.self) == false {
            throw KMIPError(.permissionDenied, "object \(request.uniqueIdentifier) is not extractable; it cannot be replaced")
        }
    }
}
