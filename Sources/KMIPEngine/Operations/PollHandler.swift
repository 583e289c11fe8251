import KMIP

extension PollRequestPayload: EngineOperation {
    // Vault has no flag for Poll; every role may poll its own asynchronous requests.
    static let declaration = OperationDeclaration(.poll, roleFlag: nil, undo: .irreversible, everyRole: true)
    /// The batch executor answers Poll with the polled request's own item (``BatchExecutor/poll(_:_:)``);
    /// this is its payload alone, for callers that want only that.
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> PollResponsePayload {
        let item = try await BatchExecutor(engine: engine).poll(self, context)
        guard item.resultStatus == .success else {
            throw KMIPError(item.resultReason ?? .generalFailure, item.resultMessage ?? "the polled request failed")
        }
        guard let payload = item.responsePayload else { return PollResponsePayload() }
        return PollResponsePayload(payload, context: EncodingContext(version: context.version))
    }
}
