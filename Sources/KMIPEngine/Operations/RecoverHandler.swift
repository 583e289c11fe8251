import KMIP

extension KMIPEngine {
    /// Recover: an archived object back on-line.
    func recover(_ request: RecoverRequestPayload, _ context: inout OperationContext) async throws -> RecoverResponsePayload {
        var response = RecoverResponsePayload()
        response.uniqueIdentifier = try await setArchived(request.uniqueIdentifier, false, &context).uniqueIdentifier
        return response
    }
}
