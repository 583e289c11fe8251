import KMIP
import KMIPCrypto
import KMIPStore

/// Runs a request's batch items in order, carrying the ID Placeholder from item to item and
/// honouring the Batch Error Continuation Option.
struct BatchExecutor {
    let engine: KMIPEngine

    func run(_ request: RequestMessage, context: OperationContext) async -> [ResponseBatchItem] {
        let option = request.requestHeader.batchErrorContinuationOption ?? .stop
        if option == .undo, request.batchItems.count > 1,
           let changing = request.batchItems.first(where: { !OperationCatalog.undoable.contains($0.operation) }) {
            // Undo is offered for batches whose only changes are new objects, which it can remove.
            return request.batchItems.map {
                ResponseBatchItem(operation: $0.operation, uniqueBatchItemID: $0.uniqueBatchItemID, error: KMIPError(
                    .operationNotSupported,
                    "Batch Error Continuation Option Undo cannot reverse \(changing.operation.name ?? "this operation")"))
            }
        }
        var context = context
        context.journalsChanges = option == .undo
        var responses: [ResponseBatchItem] = []
        responses.reserveCapacity(request.batchItems.count)
        if request.requestHeader.asynchronousIndicator == true, request.batchItems.count == 1,
           let accepted = acceptPending(request.batchItems[0], context) {
            engine.metrics.record(request.batchItems[0].operation, accepted.resultStatus, nil)
            return [accepted]
        }
        for (index, item) in request.batchItems.enumerated() {
            context.batchIndex = index
            let response = await runRecorded(item, index: index, &context)
            responses.append(response)
            if response.resultStatus != .success, option != .continue {
                if option == .undo {
                    await undo(&responses, effects: context.effects, scopeID: context.scopeID)
                    for undone in responses where undone.resultStatus == .operationUndone {
                        engine.metrics.record(undone.operation, .operationUndone, nil)
                    }
                    if let observer = engine.observer { await reportUndone(responses, request, context, observer) }
                }
                break
            }
        }
        return responses
    }

    /// Reverses what the batch's items did, newest first, from the effects their handlers
    /// journaled (each inside the store transaction that made it): a changed object is restored
    /// with a compare-and-set — only while it is still exactly as the batch left it, so a
    /// concurrent change by another client wins — and a created object is removed, unless a later
    /// change of it could not be reversed. Items with an effect that could not be reversed keep their
    /// Success (and the log says why); the other successful items become Operation Undone (the
    /// failed item keeps its error).
    func undo(_ responses: inout [ResponseBatchItem], effects: [ObjectEffect], scopeID: String) async {
        var keptItems: Set<Int> = []
        var conflicted: Set<String> = []
        for effect in effects.reversed() {
            let uid = effect.uniqueIdentifier
            // Once a newer change of this object stands, reversing an older one would undo it too.
            if conflicted.contains(uid) { keptItems.insert(effect.item); continue }
            do {
                switch effect.kind {
                case .changed(let before, let after):
                    _ = try await engine.objects.modify(scopeID: scopeID, uniqueIdentifier: uid, inserting: nil) { current in
                        guard current == after else { throw UndoConflict() }
                        current = before
                    }
                case .created:
                    try await engine.objects.delete(scopeID: scopeID, uniqueIdentifier: uid)
                }
            } catch {
                conflicted.insert(uid)
                keptItems.insert(effect.item)
                let reason = error is UndoConflict ? "changed since by another request" : "\(error)"
                engine.logger.notice("Undo left object \(uid) as it is: \(reason)")
            }
        }
        for i in responses.indices where responses[i].resultStatus == .success && !keptItems.contains(i) {
            responses[i].resultStatus = .operationUndone
            responses[i].responsePayload = nil
        }
    }

    /// Runs one item, audited when an observer listens, and counts it in the metrics.
    func runRecorded(_ item: RequestBatchItem, index: Int, _ context: inout OperationContext) async -> ResponseBatchItem {
        let start = ContinuousClock.now
        let response = if let observer = engine.observer {
            await runObservedItem(item, index: index, &context, observer: observer)
        } else {
            await runItem(item, &context)
        }
        engine.metrics.record(item.operation, response.resultStatus, response.resultReason, duration: ContinuousClock.now - start)
        return response
    }

    func runItem(_ item: RequestBatchItem, _ context: inout OperationContext) async -> ResponseBatchItem {
        // A failed item leaves the ID Placeholder as it was: a later item must not act on an
        // object an earlier one could not handle.
        let placeholder = context.idPlaceholder
        do {
            let (declared, payload) = try admit(item, context)
            context.operation = item.operation
            // Poll answers with the polled request's own item: its Operation, status and payload.
            if item.operation == .poll, let poll = payload as? PollRequestPayload {
                var polled = try await self.poll(poll, context)
                polled.uniqueBatchItemID = item.uniqueBatchItemID
                return polled
            }
            let result = try await declared.run(engine, payload, &context)
            return ResponseBatchItem(operation: item.operation, uniqueBatchItemID: item.uniqueBatchItemID, payload: result)
        } catch {
            context.idPlaceholder = placeholder
            if let tampered = error as? RecordIntegrityError { engine.logger.critical("\(tampered)") }
            return ResponseBatchItem(operation: item.operation, uniqueBatchItemID: item.uniqueBatchItemID,
                                     error: KMIPEngine.kmipError(error))
        }
    }

    /// The checks every item passes before its handler runs (or before it is accepted to run
    /// later): a supported operation of the request's version, that the caller's role allows,
    /// with a payload and no critical extension.
    func admit(_ item: RequestBatchItem, _ context: OperationContext) throws -> (any EngineOperation.Type, any TTLVCodable) {
        guard let declared = OperationCatalog.operations[item.operation] else {
            throw KMIPError(.operationNotSupported, "\(item.operation.name ?? "operation \(item.operation.rawValue)") is not supported")
        }
        // Discover Versions is exempt: a client asks it before it knows which version to speak.
        if item.operation != .discoverVersions,
           let since = Operation.definition.value(item.operation.rawValue)?.since, since > context.version {
            throw KMIPError(.operationNotSupported,
                "\(item.operation.name ?? "this operation") exists from KMIP \(since) on; the request speaks \(context.version)")
        }
        guard declared.declaration.everyRole || context.role.allows(item.operation) else {
            throw KMIPError(.permissionDenied, "role \(context.role.name) may not perform \(item.operation.name ?? "this operation")")
        }
        guard let payload = item.requestPayload else {
            throw KMIPError(.invalidMessage, "the batch item has no Request Payload")
        }
        // KMIP 1.x §6.16: a critical extension the server does not understand fails the item;
        // Strongroom understands no vendor extension, and ignores the non-critical ones.
        if let extensionBlock = item.messageExtension, extensionBlock.criticalityIndicator {
            throw KMIPError(.featureNotSupported,
                "the critical message extension of vendor \"\(extensionBlock.vendorIdentification.prefix(64))\" is not understood")
        }
        return (declared, payload)
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

/// A tampered row: the client learns that the server refused it, the log says which.
extension RecordIntegrityError: KMIPErrorConvertible {
    var kmipError: KMIPError { KMIPError(.generalFailure, "a stored record failed its integrity check; the server refused to use it") }
}
extension CryptoError: KMIPErrorConvertible {}
extension MountError: KMIPErrorConvertible {}

/// Undo's compare-and-set found the object changed since the batch left it.
struct UndoConflict: Error {}
