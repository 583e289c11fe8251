import KMIP

extension GetAttributesRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.getAttributes, roleFlag: "operation_get_attributes",
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: GetAttributesResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> GetAttributesResponsePayload {
        try await engine.getAttributes(self, &context)
    }
}

extension KMIPEngine {
    /// Get Attributes: the named attributes in the order named (every instance of a multi-valued
    /// one), or all of them when none is named. Names the object lacks, unknown names and
    /// attributes newer than the request's version are left out, as the spec asks.
    func getAttributes(_ request: GetAttributesRequestPayload, _ context: inout OperationContext) async throws -> GetAttributesResponsePayload {
        let record = try await record(request.uniqueIdentifier, context, archived: .allow)
        context.idPlaceholder = record.uniqueIdentifier
        let visible = AttributeRules.presented(record.attributes, in: context.version)
        var response = GetAttributesResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        if request.attributeNames.isEmpty {
            // Every attribute but Random Number Generator, which describes the server rather than
            // the object and which PyKMIP 0.11 cannot decode: its get_attributes(uid) would fail on
            // every key we generate. Named, it is returned like any other.
            response.attributes = visible.filter { $0.attributeName != AttributeName.randomNumberGenerator }
        } else {
            var named: Set<String> = []
            for name in request.attributeNames where named.insert(name).inserted {
                response.attributes += visible.filter { $0.attributeName == name }
            }
        }
        return response
    }
}
