import KMIP

extension RevokeRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.revoke, roleFlag: "operation_revoke",
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: RevokeResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> RevokeResponsePayload {
        try await engine.revoke(self, &context)
    }
}

extension KMIPEngine {
    /// Revoke: Deactivated, or Compromised for a key or CA compromise, with the spec's dates.
    func revoke(_ request: RevokeRequestPayload, _ context: inout OperationContext) async throws -> RevokeResponsePayload {
        let now = context.now
        let record = try await modify(request.uniqueIdentifier, &context) {
            try Lifecycle.revoke(&$0, reason: request.revocationReason, occurred: request.compromiseOccurrenceDate, now: now)
        }
        var response = RevokeResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        return response
    }
}
