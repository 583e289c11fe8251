import Logging
import PostgresNIO

/// Group commit for Creates on PostgreSQL: inserts that arrive while a transaction commits are
/// written together in the next one, so one WAL flush serves many callers. Each insert is one
/// statement that reports whether it inserted (a duplicate identifier inserts nothing and fails
/// alone); if the transaction fails otherwise, its inserts are retried one transaction each, so
/// one bad row never fails another caller's Create. A caller's `await` returns only after the
/// transaction holding its row has committed.
actor PostgresInsertBatcher {
    private struct Pending {
        let statement: PostgresStatement
        let what: String
        let continuation: CheckedContinuation<Void, any Error>
    }

    private let client: PostgresClient
    private let logger: Logger
    private let maxBatch: Int
    private var pending: [Pending] = []
    private var flushing = false
    /// Transactions committed (for tests).
    private(set) var commits = 0

    /// How long one transaction may take before its callers are told the database is unavailable
    /// (the batcher then goes on with the next batch: it never waits forever on a lost connection).
    private let timeout: Duration

    init(client: PostgresClient, logger: Logger, maxBatch: Int, timeout: Duration) {
        self.timeout = timeout
        self.client = client
        self.logger = logger
        self.maxBatch = maxBatch
    }

    /// Runs `statement` (which returns a row when it inserted; `what` names it for a duplicate).
    func insert(_ statement: PostgresStatement, what: String) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            pending.append(Pending(statement: statement, what: what, continuation: c))
            if !flushing {
                flushing = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            do {
                let inserted = try await commit(batch.map(\.statement))
                commits += 1
                for (p, ok) in zip(batch, inserted) {
                    if ok { p.continuation.resume() } else { p.continuation.resume(throwing: StoreError.duplicate(p.what)) }
                }
            } catch where batch.count > 1 && !Self.isUnavailable(error) {
                // A row the database refused: the others are retried one transaction each.
                for p in batch {
                    do {
                        let ok = try await commit([p.statement])[0]
                        commits += 1
                        if ok { p.continuation.resume() } else { p.continuation.resume(throwing: StoreError.duplicate(p.what)) }
                    } catch {
                        p.continuation.resume(throwing: PostgresStore.storeError(error))
                    }
                }
            } catch {
                for p in batch { p.continuation.resume(throwing: PostgresStore.storeError(error)) }
            }
        }
        flushing = false
    }

    /// The database is unreachable: every retry would wait as long again, so the batch fails whole.
    private static func isUnavailable(_ error: any Error) -> Bool {
        (PostgresStore.storeError(error) as? StoreError)?.message.hasPrefix(StoreError.unavailablePrefix) ?? false
    }

    /// One transaction running `statements`; whether each inserted its row.
    private func commit(_ statements: [PostgresStatement]) async throws -> [Bool] {
        try await withDeadline(timeout) { [client, logger] in try await Self.commit(statements, client: client, logger: logger) }
    }

    private static func commit(_ statements: [PostgresStatement], client: PostgresClient, logger: Logger) async throws -> [Bool] {
        try await client.withConnection { c in
            try await c.run("BEGIN", logger: logger)
            do {
                var inserted: [Bool] = []
                for s in statements { inserted.append(!(try await c.run(s.query, logger: logger).isEmpty)) }
                try await c.run("COMMIT", logger: logger)
                return inserted
            } catch {
                _ = try? await c.run("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}
