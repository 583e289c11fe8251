import KMIP

extension DestroyRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.destroy, roleFlag: "operation_destroy",
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: DestroyResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> DestroyResponsePayload {
        try await engine.destroy(self, &context)
    }
}

extension KMIPEngine {
    /// Destroy: the value is erased; the attributes stay (state Destroyed, Destroy Date), so
    /// Get Attributes still answers and Get answers Item Not Found.
    func destroy(_ request: DestroyRequestPayload, _ context: inout OperationContext) async throws -> DestroyResponsePayload {
        let now = context.now
        let record = try await modify(request.uniqueIdentifier, &context, keepValue: false, archived: .allow) {
            try Lifecycle.destroy(&$0, now: now)
        }
        storedKeys.forget(scopeID: record.scopeID, uniqueIdentifier: record.uniqueIdentifier)
        var response = DestroyResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        return response
    }
}
