import Foundation
import KMIP

/// Where CPU-heavy work runs (asymmetric key generation, RSA and ECDSA private-key operations,
/// signature verification): a few dedicated threads, never the event loops or the cooperative
/// pool that answers every other request. Each credential has its own queue, served round robin,
/// so one client's flood of RSA-4096 key generations delays its own requests, not another's
/// Sign; and each queue is capped, so a client cannot park unbounded work in the server.
public final class HeavyWorkPool: Sendable {
    /// Default thread count: one core left for the event loops and cheap requests.
    public static var defaultThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount - 1) }
    /// Default cap on one credential's queued (not yet running) heavy operations.
    public static let defaultMaxQueuedPerClient = 16

    /// The process-wide pool every engine uses unless given another.
    public static let shared = HeavyWorkPool()

    public let threads: Int
    public let maxQueuedPerClient: Int
    private let core: Core

    public init(threads: Int = HeavyWorkPool.defaultThreads, maxQueuedPerClient: Int = HeavyWorkPool.defaultMaxQueuedPerClient) {
        self.threads = max(1, threads)
        self.maxQueuedPerClient = max(1, maxQueuedPerClient)
        core = Core()
        for i in 0..<self.threads {
            let core = core
            let thread = Thread { core.serve() }
            thread.name = "strongroom-heavy-\(i)"
            thread.start()
        }
    }

    deinit { core.stop() }

    /// Runs `body` on a pool thread in `owner`'s turn and returns its result. Throws at once when
    /// `owner` already has ``maxQueuedPerClient`` operations waiting.
    public func run<T: Sendable>(owner: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = core.enqueue(owner: owner, limit: maxQueuedPerClient) {
                continuation.resume(with: Result { try body() })
            }
            if !accepted {
                continuation.resume(throwing: KMIPError(.generalFailure,
                    "server busy: this client already has \(maxQueuedPerClient) CPU-heavy operations waiting; retry when they are answered"))
            }
        }
    }

    /// Operations waiting (not running) for `owner`.
    public func queued(owner: String) -> Int { core.queued(owner: owner) }

    /// The queues and the threads' wait, under one condition lock.
    final class Core: @unchecked Sendable {
        private let condition = NSCondition()
        private var queues: [String: [@Sendable () -> Void]] = [:]
        /// Owners with waiting work, in the order they are served.
        private var ring: [String] = []
        private var next = 0
        /// Whose job ran last: it does not go twice in a row while another owner waits.
        private var lastServed: String?
        private var stopped = false

        func enqueue(owner: String, limit: Int, _ job: @escaping @Sendable () -> Void) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            guard !stopped else { return false }
            let waiting = queues[owner, default: []]
            guard waiting.count < limit else { return false }
            if waiting.isEmpty { ring.append(owner) }
            queues[owner, default: []].append(job)
            condition.signal()
            return true
        }

        func queued(owner: String) -> Int {
            condition.lock()
            defer { condition.unlock() }
            return queues[owner]?.count ?? 0
        }

        /// The next job in round-robin order: one job of each waiting owner in turn.
        private func take() -> (@Sendable () -> Void)? {
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
            return job
        }

        func serve() {
            while let job = take() { job() }
        }

        func stop() {
            condition.lock()
            stopped = true
            let abandoned = queues
            queues = [:]
            ring = []
            condition.broadcast()
            condition.unlock()
            // Nothing may wait for ever: abandoned jobs still run (on this thread), answering their callers.
            for jobs in abandoned.values { for job in jobs { job() } }
        }
    }
}
