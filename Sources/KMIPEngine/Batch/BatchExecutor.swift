import KMIP
import KMIPCrypto
import KMIPStore

/// Runs a request's batch items in order, carrying the ID Placeholder from item to item and
/// honouring the Batch Error Continuation Option.
struct BatchExecutor {
    let engine: KMIPEngine

    func run(_ request: RequestMessage, context: OperationContext) async -> [ResponseBatchItem] {
        let option = request.requestHeader.batchErrorContinuationOption ?? .stop
        if option == .undo, request.batchItems.count > 1 {
            // Undo would need a transaction spanning handlers; refuse before doing anything.
            return request.batchItems.map {
                ResponseBatchItem(operation: $0.operation, uniqueBatchItemID: $0.uniqueBatchItemID, error: KMIPError(
                    .operationNotSupported, "Batch Error Continuation Option Undo is not supported; use Stop or Continue"))
            }
        }
        var context = context
        var responses: [ResponseBatchItem] = []
        responses.reserveCapacity(request.batchItems.count)
        for item in request.batchItems {
            let response = await runItem(item, &context)
            responses.append(response)
            if response.resultStatus != .success, option != .continue { break }
        }
        return responses
    }

    func runItem(_ item: RequestBatchItem, _ context: inout OperationContext) async -> ResponseBatchItem {
        // A failed item leaves the ID Placeholder as it was: a later item must not act on an
        // object an earlier one could not handle.
        let placeholder = context.idPlaceholder
        do {
            guard let handler = OperationTable.handlers[item.operation] else {
                throw KMIPError(.operationNotSupported, "\(item.operation.name ?? "operation \(item.operation.rawValue)") is not supported")
            }
            guard context.role.allows(item.operation) else {
                throw KMIPError(.permissionDenied, "role \(context.role.name) may not perform \(item.operation.name ?? "this operation")")
            }
            guard let payload = item.requestPayload else {
                throw KMIPError(.invalidMessage, "the batch item has no Request Payload")
            }
            let result = try await handler(engine, payload, &context)
            return ResponseBatchItem(operation: item.operation, uniqueBatchItemID: item.uniqueBatchItemID, payload: result)
        } catch {
            context.idPlaceholder = placeholder
            return ResponseBatchItem(operation: item.operation, uniqueBatchItemID: item.uniqueBatchItemID,
                                     error: KMIPEngine.kmipError(error))
        }
    }
}

extension KMIPEngine {
    /// Every failure as the KMIP error a client sees. Unknown errors become General Failure
    /// without their text, which could name internals.
    static func kmipError(_ error: any Error) -> KMIPError {
        switch error {
        case let e as KMIPError: return e
        case let e as TTLVError: return KMIPError(e)
        case let e as StoreError where e.reason == .generalFailure:
            // Storage internals (SQLite messages, paths) stay in the server's log.
            return KMIPError(.generalFailure, "internal storage error")
        case let e as KMIPErrorConvertible: return e.kmipError
        default: return KMIPError(.generalFailure, "internal error")
        }
    }
}

/// Errors of lower layers that name their own KMIP Result Reason.
protocol KMIPErrorConvertible: Error {
    var kmipError: KMIPError { get }
}

extension StoreError: KMIPErrorConvertible {}
extension CryptoError: KMIPErrorConvertible {}
