import Foundation
import NIOConcurrencyHelpers

/// The audit broker's writing thread: entries queue here and are written in batches (group
/// commit), so audit file I/O never runs on the event loops or the cooperative pool and many
/// requests share one `write(2)` per device.
final class AuditWriter: @unchecked Sendable {
    /// Queued entries past which callers wait for their batch to be written (back-pressure).
    static let maxQueued = 16_384

    /// One batch's result, shared by every entry in it: the fail-closed device that failed, if any.
    final class Batch: Sendable {
        private struct State {
            var result: String??
            var waiters: [CheckedContinuation<String?, Never>] = []
        }
        private let state = NIOLockedValueBox(State())

        func complete(_ failed: String?) {
            let resumed = state.withLockedValue { state in
                state.result = .some(failed)
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in resumed { waiter.resume(returning: failed) }
        }

        /// Waits until the batch is written.
        func outcome() async -> String? {
            await withCheckedContinuation { continuation in
                let done: String?? = state.withLockedValue { state in
                    if let result = state.result { return .some(result) }
                    state.waiters.append(continuation)
                    return .none
                }
                if case .some(let result) = done { continuation.resume(returning: result) }
            }
        }
    }

    private struct Pending {
        var entries: [AuditEntry] = []
        var batch = Batch()
        var hasWork = false
        var write: (([AuditEntry]) -> String?)?
    }

    private let condition = NSCondition()
    private var pending = Pending()
    private var stopped = false

    init() {
        // The thread keeps the writer alive until `stop()`.
        let thread = Thread { self.run() }
        thread.name = "strongroom-audit"
        thread.start()
    }

    /// Queues `entry` (nil: nothing, for `flush`) to be written by `write` with the next batch.
    /// `mustWait`: the queue is over ``maxQueued``, so the caller should wait for the batch.
    func enqueue(_ entry: AuditEntry?, write: @escaping ([AuditEntry]) -> String?) -> (batch: Batch, mustWait: Bool) {
        condition.lock()
        defer { condition.unlock() }
        let batch = pending.batch
        if stopped {
            // Nothing is written any more: a fail-closed caller must hear that its entry was not.
            let refused = Batch()
            refused.complete("(audit writer stopped)")
            return (refused, true)
        }
        if let entry { pending.entries.append(entry) }
        pending.hasWork = true
        pending.write = write
        condition.signal()
        return (batch, pending.entries.count > Self.maxQueued)
    }

    private func run() {
        while true {
            condition.lock()
            while !pending.hasWork && !stopped { condition.wait() }
            if !pending.hasWork && stopped {
                condition.unlock()
                return
            }
            let taken = pending
            pending = Pending()
            condition.unlock()
            taken.batch.complete(taken.write?(taken.entries) ?? nil)
        }
    }

    /// Writes what is queued, then ends the thread.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }
}
