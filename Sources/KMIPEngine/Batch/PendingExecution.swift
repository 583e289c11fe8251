import KMIP

/// Asynchronous requests (``PendingRequests``): accepting one, starting it, and answering its Poll.
extension BatchExecutor {
    /// Operations always answered at once: those about asynchronous requests themselves, and
    /// those a client asks before anything else.
    static let answeredAtOnce: Set<KMIP.Operation> = [.poll, .cancel, .discoverVersions, .query]

    /// An Operation Pending answer for a single-item request whose header allows one; nil to
    /// answer at once (an operation that is, a request the caller may not make — refused the usual
    /// way — or a client with too many outstanding).
    func acceptPending(_ item: RequestBatchItem, _ context: OperationContext) -> ResponseBatchItem? {
        guard !Self.answeredAtOnce.contains(item.operation), (try? admit(item, context)) != nil,
              let correlation = try? engine.pending.accept(item, context: context) else { return nil }
        let engine = self.engine
        Task {
            try? await Task.sleep(for: PendingRequests.startDelay)
            _ = BatchExecutor(engine: engine).startPending(correlation, owner: nil, caller: nil)
        }
        var answer = ResponseBatchItem(operation: item.operation, uniqueBatchItemID: item.uniqueBatchItemID, payload: nil)
        answer.resultStatus = .operationPending
        answer.asynchronousCorrelationValue = correlation
        return answer
    }

    /// Starts a waiting request. `caller`: the Poll's context, authorised just now; nil (the
    /// delayed start): the credential that made the request is authorised again first, so a
    /// revoked credential or a narrowed role stops it. `owner` nil matches any.
    func startPending(_ correlation: ByteString, owner: String?, caller: OperationContext?) -> PendingRequests.Phase? {
        let engine = self.engine
        return engine.pending.start(correlation, owner: owner) { entry in
            let base = caller ?? entry.context
            let item = entry.item
            return Task {
                var role = base.role
                if caller == nil {
                    switch await engine.authorizer.role(for: base.client) {
                    case .success(let current): role = current
                    case .failure(let error):
                        let refused = ResponseBatchItem(operation: item.operation, uniqueBatchItemID: item.uniqueBatchItemID, error: error)
                        engine.pending.finish(correlation, refused)
                        return refused
                    }
                }
                var context = OperationContext(scopeID: base.scopeID, client: base.client, role: role,
                                               version: entry.context.version, now: engine.clock(), connection: base.connection)
                context.compatibility = base.compatibility
                let result = await BatchExecutor(engine: engine).runRecorded(item, index: 0, &context)
                engine.pending.finish(correlation, result)
                return result
            }
        }
    }

    /// Poll (KMIP 1.4 §4.28): starts the caller's request if it is still waiting, waits for it
    /// and hands over its item once.
    func poll(_ request: PollRequestPayload, _ context: OperationContext) async throws -> ResponseBatchItem {
        let correlation = request.asynchronousCorrelationValue
        let result: ResponseBatchItem
        switch startPending(correlation, owner: context.streamOwner.client, caller: context) {
        case .running(let task)?: result = await task.value
        case .done(let item)?: result = item
        case .waiting?, nil:
            throw KMIPError(.itemNotFound, "no asynchronous request of this client has that Asynchronous Correlation Value")
        }
        engine.pending.remove(correlation)
        return result
    }
}
