import KMIP

extension GetAttributeListRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.getAttributeList, roleFlag: "operation_get_attribute_list",
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: GetAttributeListResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> GetAttributeListResponsePayload {
        try await engine.getAttributeList(self, &context)
    }
}

extension KMIPEngine {
    /// Get Attribute List: the names of the object's attributes that the request's version
    /// defines, each once, in the order the object holds them.
    func getAttributeList(_ request: GetAttributeListRequestPayload, _ context: inout OperationContext) async throws -> GetAttributeListResponsePayload {
        let record = try await record(request.uniqueIdentifier, context, archived: .allow)
        context.idPlaceholder = record.uniqueIdentifier
        var response = GetAttributeListResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        var seen: Set<String> = []
        for attribute in record.attributes where AttributeRules.visible(attribute, in: context.version) {
            if seen.insert(attribute.attributeName).inserted { response.attributeNames.append(attribute.attributeName) }
        }
        return response
    }
}
