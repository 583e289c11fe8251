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
        // KMIP 1.1 on: an Attribute Name is named at most once (TC_171); 1.0 clients' repeats are merged.
        if context.version >= .v1_1, let repeated = Self.firstRepeated(request.attributeNames) {
            throw KMIPError(.invalidMessage, "Attribute Name specified more than once: \(repeated)")
        }
        let record = try await record(request.uniqueIdentifier, context, archived: .allow)
        context.idPlaceholder = record.uniqueIdentifier
        let visible = AttributeRules.presented(record.attributes, in: context.version,
                                                explicitIndex: context.compatibility.explicitAttributeIndex)
        var response = GetAttributesResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        if request.attributeNames.isEmpty {
            // Every attribute but those the mount leaves out for clients that cannot decode them
            // (`omit_from_all_attributes`, Random Number Generator by default: PyKMIP 0.11's
            // get_attributes(uid) would fail on every key we generate). Named, they are returned.
            let omitted = Set(context.compatibility.omittedFromAllAttributes)
            response.attributes = visible.filter { !omitted.contains($0.attributeName) }
        } else {
            var named: Set<String> = []
            for name in request.attributeNames where named.insert(name).inserted {
                response.attributes += visible.filter { $0.attributeName == name }
            }
        }
        return response
    }

    static func firstRepeated(_ names: [String]) -> String? {
        var seen: Set<String> = []
        return names.first { !seen.insert($0).inserted }
    }
}
