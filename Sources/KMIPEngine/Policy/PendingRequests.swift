import Foundation
import KMIP
import KMIPCrypto
import NIOConcurrencyHelpers

/// Requests answered Operation Pending (KMIP 1.4 §6.7 Asynchronous Indicator, §4.27 Cancel, §4.28
/// Poll). A single-item request whose header allows an asynchronous response is accepted with a
/// random Asynchronous Correlation Value and run later: at its first Poll, or `startDelay` after it
/// was accepted, whichever comes first; until it starts, Cancel withdraws it. Its result waits
/// for one Poll. Only the client certificate that made a request (scope and serial) can poll or
/// cancel it; others are told it does not exist. Bounded per client and in total, and forgotten
/// `lifetime` after acceptance. Held in this process: with several nodes, a client polls over the
/// connection it made the request on (an L4 load balancer keeps a connection on one node).
final class PendingRequests: Sendable {
    enum Phase: Sendable {
        case waiting
        case running(Task<ResponseBatchItem, Never>)
        case done(ResponseBatchItem)
    }

    struct Entry: Sendable {
        let owner: String
        let item: RequestBatchItem
        /// The accepting request's context: its version, caller and role.
        let context: OperationContext
        let accepted: TimeInterval
        var phase: Phase
    }

    static let maxPerClient = 32
    static let maxTotal = 4_096
    static let startDelay: Duration = .seconds(2)
    static let lifetime: TimeInterval = 600
    /// 64 random bits, as the reference server's (TC_32_10): a value only names a request among
    /// its own client's, who alone can use it, so it needs uniqueness, not secrecy.
    static let correlationBytes = 8

    private let entries = NIOLockedValueBox<[ByteString: Entry]>([:])

    /// Accepts a request and returns its Asynchronous Correlation Value; nil when the client or
    /// the server has as many outstanding as allowed (the request is then answered at once, which
    /// §6.7 leaves to the server).
    func accept(_ item: RequestBatchItem, context: OperationContext) throws -> ByteString? {
        let owner = context.streamOwner.client
        let correlation = ByteString(try RNG.retrieve(count: Self.correlationBytes).bytes)
        return entries.withLockedValue { all in
            let now = ProcessInfo.processInfo.systemUptime
            all = all.filter { now - $0.value.accepted < Self.lifetime }
            guard all.count < Self.maxTotal, all.values.filter({ $0.owner == owner }).count < Self.maxPerClient else { return nil }
            all[correlation] = Entry(owner: owner, item: item, context: context, accepted: now, phase: .waiting)
            return correlation
        }
    }

    /// Starts the request if it is still waiting (`run` builds its task) and returns what to
    /// wait for: its task, or its result when it has finished. Nil: no such request of `owner`.
    func start(_ correlation: ByteString, owner: String? = nil,
               _ run: (Entry) -> Task<ResponseBatchItem, Never>) -> Phase? {
        entries.withLockedValue { all in
            guard var entry = all[correlation], owner == nil || entry.owner == owner else { return nil }
            if case .waiting = entry.phase {
                entry.phase = .running(run(entry))
                all[correlation] = entry
            }
            return entry.phase
        }
    }

    /// Where a request stands, without starting it.
    func phase(_ correlation: ByteString) -> Phase? {
        entries.withLockedValue { $0[correlation]?.phase }
    }

    /// Records a finished request's result for its Poll.
    func finish(_ correlation: ByteString, _ result: ResponseBatchItem) {
        entries.withLockedValue { all in all[correlation]?.phase = .done(result) }
    }

    /// Forgets a request whose result was delivered.
    func remove(_ correlation: ByteString) {
        _ = entries.withLockedValue { $0.removeValue(forKey: correlation) }
    }

    /// Cancel: a request that has not started is withdrawn; a finished one's result is dropped
    /// (Completed); a running one goes on (Unable to Cancel). Nil: no such request of `owner`.
    func cancel(_ correlation: ByteString, owner: String) -> CancellationResult? {
        entries.withLockedValue { all in
            guard let entry = all[correlation], entry.owner == owner else { return nil }
            switch entry.phase {
            case .waiting:
                all[correlation] = nil
                return .canceled
            case .running:
                return .unableToCancel
            case .done:
                all[correlation] = nil
                return .completed
            }
        }
    }
}
