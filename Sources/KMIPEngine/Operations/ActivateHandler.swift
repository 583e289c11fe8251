import KMIP

extension ActivateRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.activate, roleFlag: "operation_activate",
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: ActivateResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> ActivateResponsePayload {
        try await engine.activate(self, &context)
    }
}

extension KMIPEngine {
    /// Activate: Pre-Active → Active, Activation Date = now.
    func activate(_ request: ActivateRequestPayload, _ context: inout OperationContext) async throws -> ActivateResponsePayload {
        let now = context.now
        let record = try await modify(request.uniqueIdentifier, &context) { try Lifecycle.activate(&$0, now: now) }
        var response = ActivateResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        return response
    }
}
