import KMIP

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
