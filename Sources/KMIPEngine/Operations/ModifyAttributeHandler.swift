import KMIP

extension ModifyAttributeRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.modifyAttribute, roleFlag: "operation_modify_attribute",
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: ModifyAttributeResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> ModifyAttributeResponsePayload {
        try await engine.modifyAttribute(self, &context)
    }
}

extension KMIPEngine {
    /// Modify Attribute: replaces the value of an existing instance (Attribute Index, default 0)
    /// of an attribute the client may modify. No such instance is Item Not Found.
    func modifyAttribute(_ request: ModifyAttributeRequestPayload, _ context: inout OperationContext) async throws -> ModifyAttributeResponsePayload {
        let name = request.attribute.attributeName
        let definition = try AttributeRules.definition(name, version: context.version)
        let index = Int(request.attribute.attributeIndex ?? 0)
        var modified = request.attribute
        modified.attributeIndex = nil
        let instance = modified
        let now = context.now
        let (record, _) = try await modify(request.uniqueIdentifier, &context) { attributes, record in
            try AttributeRules.checkModify(name, definition, state: record.state)
            try AttributeRules.checkOneWay(name, from: attributes.first(name), to: instance)
            guard let position = AttributeRules.position(of: name, index: index, in: attributes) else {
                throw KMIPError(.itemNotFound, "the object has no \(name) at index \(index)")
            }
            attributes[position] = instance
            Lifecycle.applyDates(&attributes, now: now)
        }

        var response = ModifyAttributeResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        modified.attributeIndex = AttributeRules.responseIndex(Int32(index), multiValued: definition.multiValued,
                                                           explicit: context.compatibility.explicitAttributeIndex)
        response.attribute = modified
        return response
    }
}
