import KMIP

extension CancelRequestPayload: EngineOperation {
    // Vault has no flag for Cancel; every role may cancel its own asynchronous requests.
    static let declaration = OperationDeclaration(.cancel, roleFlag: nil, undo: .irreversible, everyRole: true)
    /// Cancel (KMIP 1.4 §4.27): withdraws the caller's asynchronous request if it has not started
    /// (``PendingRequests/cancel(_:owner:)``).
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> CancelResponsePayload {
        guard let result = engine.pending.cancel(asynchronousCorrelationValue, owner: context.streamOwner.client) else {
            throw KMIPError(.itemNotFound, "no asynchronous request of this client has that Asynchronous Correlation Value")
        }
        var response = CancelResponsePayload()
        response.asynchronousCorrelationValue = asynchronousCorrelationValue
        response.cancellationResult = result
        return response
    }
}
