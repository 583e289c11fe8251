import KMIP

extension KMIPEngine {
    /// Modify Attribute: replaces the value of an existing instance (Attribute Index, default 0)
    /// of an attribute the client may modify. No such instance is Item Not Found.
    func modifyAttribute(_ request: ModifyAttributeRequestPayload, _ context: inout OperationContext) async throws -> ModifyAttributeResponsePayload {
        var record = try await record(request.uniqueIdentifier, context)
        context.idPlaceholder = record.uniqueIdentifier
        let name = request.attribute.attributeName
        let definition = try AttributeRules.definition(name, version: context.version)
        try AttributeRules.checkModify(name, definition, state: record.state)
        let index = Int(request.attribute.attributeIndex ?? 0)
        var attributes = record.attributes
        guard let position = AttributeRules.position(of: name, index: index, in: attributes) else {
            throw KMIPError(.itemNotFound, "the object has no \(name) at index \(index)")
        }
        var modified = request.attribute
        modified.attributeIndex = nil
        attributes[position] = modified
        Lifecycle.applyDates(&attributes, now: context.now)
        attributes.set(AttributeName.lastChangeDate, .dateTime(context.now))
        record.setAttributes(attributes)
        try await objects.update(record)

        var response = ModifyAttributeResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        modified.attributeIndex = definition.multiValued && index > 0 ? Int32(index) : nil
        response.attribute = modified
        return response
    }
}
