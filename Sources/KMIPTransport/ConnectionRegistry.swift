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

    /// Records who `channel` belongs to; false (nothing recorded) when that client certificate
    /// already holds `limit` connections.
    func setIdentity(_ identity: ClientIdentity, for channel: any Channel, limit: Int = .max) -> Bool {
        self.state.withLockedValue { state in
            let held = state.entries.values.count {
                $0.identity?.serialNumber == identity.serialNumber && $0.identity?.scopeID == identity.scopeID
            }
            guard held < limit else { return false }
            state.entries[ObjectIdentifier(channel)]?.identity = identity
            return true
        }
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
