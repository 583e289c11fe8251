import NIOConcurrencyHelpers

/// Bytes of received, unanswered requests across every connection of a listener. Each connection
/// may always have one request in flight; beyond that it reads more only while the listener's
/// total stays under `limit`, so pipelining clients together cannot park more than about `limit`
/// bytes in the server (plus one request per connection, each under `maxMessageBytes`).
final class PendingBytesBudget: Sendable {
    private struct State {
        var held = 0
        /// Connections whose reading waits for room, by connection number.
        var waiters: [UInt64: @Sendable () -> Void] = [:]
    }

    let limit: Int
    private let state = NIOLockedValueBox(State())

    init(limit: Int) { self.limit = max(0, limit) }

    var held: Int { self.state.withLockedValue { $0.held } }

    var isExhausted: Bool { self.state.withLockedValue { $0.held >= self.limit } }

    func add(_ bytes: Int) {
        self.state.withLockedValue { $0.held += bytes }
    }

    /// Returns `bytes`; once under the limit, every waiting connection is woken (each re-checks).
    func release(_ bytes: Int) {
        let woken: [@Sendable () -> Void] = self.state.withLockedValue { state in
            state.held -= bytes
            guard state.held < self.limit, !state.waiters.isEmpty else { return [] }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for wake in woken { wake() }
    }

    /// Calls `wake` once the total falls under the limit; false (nothing registered) when it
    /// already is, so the caller reads now.
    func waitForRoom(_ connection: UInt64, _ wake: @escaping @Sendable () -> Void) -> Bool {
        self.state.withLockedValue { state in
            guard state.held >= self.limit else { return false }
            state.waiters[connection] = wake
            return true
        }
    }

    func stopWaiting(_ connection: UInt64) {
        _ = self.state.withLockedValue { $0.waiters.removeValue(forKey: connection) }
    }
}
