import Logging
import PostgresNIO

extension PostgresStore: ChangeFeed {
    /// The channel the `*_changed` triggers notify (migration 3).
    static let changeChannel = "strongroom_changes"

    public func followChanges(_ changed: @escaping @Sendable (String) async -> Void) async {
        while !Task.isCancelled {
            do {
                // One pool connection held for the feed; LISTEN is per connection.
                try await client.withConnection { c in
                    try await c.listen(on: Self.changeChannel) { notifications in
                        await changed("*")
                        for try await notification in notifications { await changed(notification.payload) }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("change feed lost; reconnecting", metadata: ["error": "\(Self.storeError(error))"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
