import KMIP

extension KMIPEngine {
    /// Recover: an archived object back on-line.
    func recover(_ request: RecoverRequestPayload, _ context: inout OperationContext) async throws -> RecoverResponsePayload {
        var record = try await record(request.uniqueIdentifier, context, archived: .allow)
        context.idPlaceholder = record.uniqueIdentifier
        guard record.archived else { throw KMIPError(.illegalOperation, "object \(record.uniqueIdentifier) is not archived") }
        try await setArchived(&record, false, now: context.now)
        var response = RecoverResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        return response
    }
}
