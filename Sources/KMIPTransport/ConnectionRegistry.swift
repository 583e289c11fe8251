import KMIPPKI
import NIOConcurrencyHelpers
import NIOCore

/// The listener's open connections: counted against `maxConnections`, revalidated, quiesced on shutdown.
final class ConnectionRegistry: Sendable {
    struct Entry: Sendable {
        let channel: any Channel
        var identity: ClientIdentity?
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var accepting = true
    }

    private let state = NIOLockedValueBox(State())

    /// Adds `channel` unless the listener is shutting down or already holds `limit` connections.
    func tryAdd(_ channel: any Channel, limit: Int) -> Bool {
        self.state.withLockedValue { state in
            guard state.accepting, state.entries.count < limit else { return false }
            state.entries[ObjectIdentifier(channel)] = Entry(channel: channel)
            return true
        }
    }

    func remove(_ channel: any Channel) {
        _ = self.state.withLockedValue { $0.entries.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func setIdentity(_ identity: ClientIdentity, for channel: any Channel) {
        self.state.withLockedValue { $0.entries[ObjectIdentifier(channel)]?.identity = identity }
    }

    /// Refuses every later connection; returns the open ones.
    func stopAccepting() -> [Entry] {
        self.state.withLockedValue { state in
            state.accepting = false
            return Array(state.entries.values)
        }
    }

    var count: Int { self.state.withLockedValue { $0.entries.count } }

    func snapshot() -> [Entry] { self.state.withLockedValue { Array($0.entries.values) } }
}
