import KMIP

extension RecoverRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.recover, roleFlag: nil,
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: RecoverResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> RecoverResponsePayload {
        try await engine.recover(self, &context)
    }
}

extension KMIPEngine {
    /// Recover: an archived object back on-line.
    func recover(_ request: RecoverRequestPayload, _ context: inout OperationContext) async throws -> RecoverResponsePayload {
        var response = RecoverResponsePayload()
        response.uniqueIdentifier = try await setArchived(request.uniqueIdentifier, false, &context).uniqueIdentifier
        return response
    }
}
