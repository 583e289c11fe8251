import Foundation
import KMIP

/// Where CPU-heavy work runs (asymmetric key generation, RSA and ECDSA private-key operations,
/// signature verification): a few dedicated threads, never the event loops or the cooperative
/// pool that answers every other request. Each credential has its own queue, served round robin,
/// so one client's flood of RSA-4096 key generations delays its own requests, not another's
/// Sign. Each queue is capped: work beyond the cap waits for room (its connection is not read
/// meanwhile, since a connection answers one request at a time) and is refused with a clear
/// error after `admissionTimeout`, so a client can neither park unbounded work nor crowd others.
public final class HeavyWorkPool: Sendable {
    /// Default thread count: one core left for the event loops and cheap requests.
    public static var defaultThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount - 1) }
    /// Default cap on one credential's queued (not yet running) heavy operations.
    public static let defaultMaxQueuedPerClient = 16
    /// Default wait for room in a full queue, in seconds.
    public static let defaultAdmissionTimeout: Double = 30

    /// The process-wide pool every engine uses unless given another.
    public static let shared = HeavyWorkPool()

    public let threads: Int
    public let maxQueuedPerClient: Int
    public let admissionTimeout: Duration
    private let core: Core

    public init(threads: Int = HeavyWorkPool.defaultThreads, maxQueuedPerClient: Int = HeavyWorkPool.defaultMaxQueuedPerClient,
                admissionTimeout: Duration = .seconds(HeavyWorkPool.defaultAdmissionTimeout)) {
        self.threads = max(1, threads)
        self.maxQueuedPerClient = max(1, maxQueuedPerClient)
        self.admissionTimeout = admissionTimeout
        core = Core()
        for i in 0..<self.threads {
            let core = core
            let thread = Thread { core.serve() }
            thread.name = "strongroom-heavy-\(i)"
            thread.start()
        }
    }

    deinit { core.stop() }

    /// Runs `body` on a pool thread in `owner`'s turn and returns its result. When `owner` already
    /// has ``maxQueuedPerClient`` operations queued, waits for room at most ``admissionTimeout``,
    /// then throws.
    public func run<T: Sendable>(owner: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        let (limit, timeout) = (maxQueuedPerClient, admissionTimeout)
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = core.enqueue(owner: owner, limit: limit, timeout: timeout, {
                continuation.resume(with: Result { try body() })
            }, reject: {
                continuation.resume(throwing: KMIPError(.generalFailure,
                    "server busy: this client's CPU-heavy operations (at most \(limit) queued) found no room within \(timeout); retry later"))
            })
            if !accepted {
                continuation.resume(throwing: KMIPError(.generalFailure, "server busy: CPU-heavy work is shutting down"))
            }
        }
    }

    /// Operations queued (not running) for `owner`, waiting for room included.
    public func queued(owner: String) -> Int { core.queued(owner: owner) }

    /// The queues and the threads' wait, under one condition lock.
    final class Core: @unchecked Sendable {
        private let condition = NSCondition()
        typealias Job = @Sendable () -> Void
        struct Waiter {
            let id: Int
            let job: Job
            let reject: Job
        }
        private var queues: [String: [Job]] = [:]
        /// Work that found its owner's queue full, oldest first, until room or its timeout.
        private var waiting: [String: [Waiter]] = [:]
        private var nextWaiter = 0
        /// Owners with waiting work, in the order they are served.
        private var ring: [String] = []
        private var next = 0
        /// Whose job ran last: it does not go twice in a row while another owner waits.
        private var lastServed: String?
        private var stopped = false

        /// Queues `job`, or, when `owner`'s queue holds `limit`, keeps it waiting for room and calls
        /// `reject` instead once `timeout` has passed. False (nothing kept) once stopped.
        func enqueue(owner: String, limit: Int, timeout: Duration, _ job: @escaping Job, reject: @escaping Job) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            guard !stopped else { return false }
            if queues[owner, default: []].count < limit {
                append(owner, job)
                return true
            }
            nextWaiter += 1
            let id = nextWaiter
            waiting[owner, default: []].append(Waiter(id: id, job: job, reject: reject))
            let (seconds, attoseconds) = timeout.components
            let (whole, overflow) = Int(clamping: seconds).multipliedReportingOverflow(by: 1_000_000_000)
            let nanoseconds = overflow ? Int.max / 2 : whole.addingReportingOverflow(Int(attoseconds / 1_000_000_000)).partialValue
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(max(0, nanoseconds))) { [self] in
                expire(owner: owner, id: id)
            }
            return true
        }

        private func append(_ owner: String, _ job: @escaping Job) {
            if queues[owner, default: []].isEmpty { ring.append(owner) }
            queues[owner, default: []].append(job)
            condition.signal()
        }

        private func expire(owner: String, id: Int) {
            condition.lock()
            let index = waiting[owner]?.firstIndex { $0.id == id }
            let waiter = index.map { waiting[owner]!.remove(at: $0) }
            if waiting[owner]?.isEmpty == true { waiting[owner] = nil }
            condition.unlock()
            waiter?.reject()
        }

        func queued(owner: String) -> Int {
            condition.lock()
            defer { condition.unlock() }
            return (queues[owner]?.count ?? 0) + (waiting[owner]?.count ?? 0)
        }

        /// The next job in round-robin order: one job of each waiting owner in turn.
        private func take() -> Job? {
            condition.lock()
            defer { condition.unlock() }
            while ring.isEmpty && !stopped { condition.wait() }
            guard !ring.isEmpty else { return nil }
            if next >= ring.count { next = 0 }
            if ring.count > 1, ring[next] == lastServed { next = (next + 1) % ring.count }
            let owner = ring[next]
            lastServed = owner
            let job = queues[owner]!.removeFirst()
            if queues[owner]!.isEmpty {
                queues[owner] = nil
                ring.remove(at: next)
            } else {
                next += 1
            }
            // Room in the owner's queue: the longest-waiting operation takes it.
            if var waiters = waiting[owner], !waiters.isEmpty {
                append(owner, waiters.removeFirst().job)
                waiting[owner] = waiters.isEmpty ? nil : waiters
            }
            return job
        }

        func serve() {
            while let job = take() { job() }
        }

        func stop() {
            condition.lock()
            stopped = true
            let abandoned = queues.merging(waiting.mapValues { $0.map(\.job) }) { $0 + $1 }
            queues = [:]
            waiting = [:]
            ring = []
            condition.broadcast()
            condition.unlock()
            // Nothing may wait for ever: abandoned jobs still run (on this thread), answering their callers.
            for jobs in abandoned.values { for job in jobs { job() } }
        }
    }
}
