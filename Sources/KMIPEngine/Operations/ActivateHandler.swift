import KMIP

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
