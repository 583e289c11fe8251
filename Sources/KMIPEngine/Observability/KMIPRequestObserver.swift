import Foundation
import KMIP
import KMIPPKI

/// One batch item as the audit log sees it: who asked, what, about which objects,
/// and how it ended. It holds identifiers and enumerations only — never key material, data, IVs,
/// signatures or any other payload bytes.
public struct KMIPRequestEvent: Sendable, Hashable {
    /// When the item started (request phase) or ended (response phase).
    public var time: Date
    /// The transport's number for the connection; nil when the request came from no connection in
    /// particular (in-process callers).
    public var connection: UInt64?
    /// Decimal text of the client certificate's serial.
    public var clientSerial: String
    /// The scope id from the certificate (`OU`).
    public var scopeID: String
    /// The role id from the certificate (`CN`).
    public var roleID: String
    /// The role's name, once the request was authorised; nil for items refused before that.
    public var roleName: String?
    /// The version the response speaks.
    public var protocolVersion: ProtocolVersion
    /// Nil when an undecodable message did not even name one.
    public var operation: KMIP.Operation?
    /// The item's position in its batch (0-based).
    public var batchIndex: Int
    /// Objects the item names: the request's Unique Identifier(s), then the response's (Create's
    /// new object, Locate's results — at most ``maxIdentifiers``).
    public var uniqueIdentifiers: [String]
    /// Nil in the request phase.
    public var resultStatus: ResultStatus?
    public var resultReason: ResultReason?
    /// Nil in the request phase.
    public var duration: Duration?

    /// Bounds an audit line: a Locate may answer thousands of identifiers.
    public static let maxIdentifiers = 64

    public init(time: Date, connection: UInt64?, clientSerial: String, scopeID: String, roleID: String,
                roleName: String?, protocolVersion: ProtocolVersion, operation: KMIP.Operation?, batchIndex: Int = 0,
                uniqueIdentifiers: [String] = [], resultStatus: ResultStatus? = nil, resultReason: ResultReason? = nil,
                duration: Duration? = nil) {
        self.time = time; self.connection = connection; self.clientSerial = clientSerial; self.scopeID = scopeID
        self.roleID = roleID; self.roleName = roleName; self.protocolVersion = protocolVersion
        self.operation = operation; self.batchIndex = batchIndex; self.uniqueIdentifiers = uniqueIdentifiers
        self.resultStatus = resultStatus; self.resultReason = resultReason; self.duration = duration
    }
}

/// What the engine tells about every batch item (the audit log).
///
/// `willExecute` runs before the item: throwing refuses it (fail-closed audit), and the item answers
/// General Failure "audit log unavailable" without running. `didExecute` runs after it with the
/// outcome: throwing withholds a successful item's response payload (the item answers General
/// Failure), so nothing is disclosed that could not be audited — as Vault does for its responses.
/// Items the engine refuses before running them (undecodable message, unsupported version,
/// authorisation) reach only `didExecute`; so do items a Batch Error Continuation Option of Undo
/// reversed, a second time, with Result Status Operation Undone.
public protocol KMIPRequestObserver: Sendable {
    func willExecute(_ event: KMIPRequestEvent) async throws
    func didExecute(_ event: KMIPRequestEvent) async throws
}

extension KMIPEngine {
    static let auditUnavailable = KMIPError(.generalFailure, "audit log unavailable")

    /// Reports items that were refused as a whole (nothing ran), e.g. a failed authorisation.
    func observeRefused(_ items: [ResponseBatchItem], client: ClientIdentity, version: ProtocolVersion,
                        connection: UInt64, roleName: String? = nil) async {
        for item in items { metrics.record(item.operation, item.resultStatus, item.resultReason) }
        guard let observer else { return }
        for (index, item) in items.enumerated() {
            let event = KMIPRequestEvent(
                time: Date(), connection: connection == 0 ? nil : connection, clientSerial: client.serialNumber,
                scopeID: client.scopeID, roleID: client.roleID, roleName: roleName, protocolVersion: version,
                operation: item.operation, batchIndex: index, resultStatus: item.resultStatus,
                resultReason: item.resultReason)
            // Nothing ran and nothing is disclosed, so a failing audit device changes no answer.
            try? await observer.didExecute(event)
        }
    }
}

extension BatchExecutor {
    /// `runItem` between the observer's two calls.
    func runObservedItem(_ item: RequestBatchItem, index: Int, _ context: inout OperationContext,
                         observer: any KMIPRequestObserver) async -> ResponseBatchItem {
        let start = ContinuousClock.now
        var event = KMIPRequestEvent(
            time: Date(), connection: context.connection == 0 ? nil : context.connection,
            clientSerial: context.client.serialNumber, scopeID: context.scopeID, roleID: context.client.roleID,
            roleName: context.role.name, protocolVersion: context.version, operation: item.operation,
            batchIndex: index, uniqueIdentifiers: AuditIdentifiers.of(request: item.requestPayload, placeholder: context.idPlaceholder))
        do {
            try await observer.willExecute(event)
        } catch {
            let refused = ResponseBatchItem(operation: item.operation, uniqueBatchItemID: item.uniqueBatchItemID,
                                            error: KMIPEngine.auditUnavailable)
            event.complete(refused, start: start)
            try? await observer.didExecute(event)
            return refused
        }
        let placeholder = context.idPlaceholder
        var response = await runItem(item, &context)
        event.uniqueIdentifiers = AuditIdentifiers.merge(event.uniqueIdentifiers, AuditIdentifiers.of(response: response.responsePayload, operation: item.operation))
        event.complete(response, start: start)
        do {
            try await observer.didExecute(event)
        } catch where response.resultStatus == .success {
            // The outcome could not be audited: disclose nothing, and let no later item use it.
            context.idPlaceholder = placeholder
            response = ResponseBatchItem(operation: item.operation, uniqueBatchItemID: item.uniqueBatchItemID,
                                         error: KMIPEngine.auditUnavailable)
        } catch {}
        return response
    }
}

extension BatchExecutor {
    /// Items an Undo reversed were already reported with their own outcome; this second report
    /// (Operation Undone, no duration) keeps the audit trail true to what remains.
    func reportUndone(_ responses: [ResponseBatchItem], _ request: RequestMessage, _ context: OperationContext,
                      _ observer: any KMIPRequestObserver) async {
        for (index, response) in responses.enumerated() where response.resultStatus == .operationUndone {
            let event = KMIPRequestEvent(
                time: Date(), connection: context.connection == 0 ? nil : context.connection,
                clientSerial: context.client.serialNumber, scopeID: context.scopeID, roleID: context.client.roleID,
                roleName: context.role.name, protocolVersion: context.version, operation: response.operation,
                batchIndex: index, uniqueIdentifiers: AuditIdentifiers.of(request: request.batchItems[index].requestPayload),
                resultStatus: .operationUndone)
            // The undo already happened; nothing is disclosed, so a failing device changes no answer.
            try? await observer.didExecute(event)
        }
    }
}

extension KMIPRequestEvent {
    mutating func complete(_ response: ResponseBatchItem, start: ContinuousClock.Instant) {
        time = Date()
        resultStatus = response.resultStatus
        resultReason = response.resultReason
        duration = ContinuousClock.now - start
    }
}
