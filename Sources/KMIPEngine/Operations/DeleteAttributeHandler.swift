import KMIP

extension DeleteAttributeRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.deleteAttribute, roleFlag: "operation_delete_attribute",
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: DeleteAttributeResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> DeleteAttributeResponsePayload {
        try await engine.deleteAttribute(self, &context)
    }
}

extension KMIPEngine {
    /// Delete Attribute: removes one instance (Attribute Index, default 0) of an attribute the
    /// client may delete; the response carries the deleted instance. No such instance is Item
    /// Not Found. Later instances of the same attribute move down one index.
    func deleteAttribute(_ request: DeleteAttributeRequestPayload, _ context: inout OperationContext) async throws -> DeleteAttributeResponsePayload {
        let name = request.attributeName
        let definition = try AttributeRules.definition(name, version: context.version)
        try AttributeRules.checkDelete(name, definition)
        let index = Int(request.attributeIndex ?? 0)
        var (record, deleted) = try await modify(request.uniqueIdentifier, &context) { attributes, _ -> Attribute in
            guard let position = AttributeRules.position(of: name, index: index, in: attributes) else {
                throw KMIPError(.itemNotFound, "the object has no \(name) at index \(index)")
            }
            return attributes.remove(at: position)
        }
        _ = record

        var response = DeleteAttributeResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        deleted.attributeIndex = AttributeRules.responseIndex(Int32(index), multiValued: definition.multiValued,
                                                           explicit: context.compatibility.explicitAttributeIndex)
        response.attribute = deleted
        return response
    }
}
