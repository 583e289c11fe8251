import GRDB

/// The one writer of a `SQLiteStore`: concurrent writes queue here and are committed together, in
/// one transaction per batch (group commit), so one fsync serves many callers. Each write runs in
/// its own savepoint, so a failing write is rolled back alone and the others still commit. A
/// caller's `await` returns only after the transaction holding its write has committed.
actor GroupCommitWriter {
    typealias Work = @Sendable (Database) throws -> any Sendable
    private struct Pending {
        let work: Work
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private let pool: DatabasePool
    private let maxBatch: Int
    private var pending: [Pending] = []
    private var flushing = false
    /// Transactions committed (for tests and metrics).
    private(set) var commits = 0

    init(pool: DatabasePool, maxBatch: Int = 512) {
        self.pool = pool
        self.maxBatch = maxBatch
    }

    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let result = try await withCheckedThrowingContinuation { (c: CheckedContinuation<any Sendable, any Error>) in
            pending.append(Pending(work: { try work($0) }, continuation: c))
            if !flushing {
                flushing = true
                Task { await self.drain() }
            }
        }
        return result as! T
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            let works = batch.map(\.work)
            do {
                // While this transaction commits, the actor is free and new writes gather in `pending`.
                let results = try await pool.write { db in
                    try works.map { work -> Result<any Sendable, any Error> in
                        var outcome: Result<any Sendable, any Error> = .failure(StoreError(.generalFailure, "write did not run"))
                        do {
                            try db.inSavepoint {
                                outcome = .success(try work(db))
                                return .commit
                            }
                        } catch {
                            outcome = .failure(error)
                        }
                        // On some errors (full disk, I/O) SQLite rolls the whole transaction back by
                        // itself: then no write of this batch is kept, and every caller must hear so.
                        guard db.isInsideTransaction else {
                            throw StoreError(.generalFailure, "the transaction was rolled back by the database")
                        }
                        return outcome
                    }
                }
                commits += 1
                for (p, r) in zip(batch, results) { p.continuation.resume(with: r) }
            } catch {
                let failure = StoreError(.generalFailure, "commit failed: \(error)")
                for p in batch { p.continuation.resume(throwing: failure) }
            }
        }
        flushing = false
    }
}
