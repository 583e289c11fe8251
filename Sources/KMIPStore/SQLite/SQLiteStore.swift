import Foundation
import GRDB
import KMIP
import NIOConcurrencyHelpers

/// The SQLite store (objects here, mounts, tokens and audit devices in `+System`, a mount's records in `+Mount`): a GRDB `DatabasePool` in WAL mode with `synchronous = FULL` (a committed
/// write survives a crash), migrated on open, all writes through one group-commit writer. Key
/// material and CA private keys are sealed by the keyring before they reach SQLite.
public final class SQLiteStore: ServerStore, Sendable {
    let pool: DatabasePool
    let keyring: Keyring
    let records: RecordAuthenticator
    let writer: GroupCommitWriter
    /// Read-only connections for point reads, used on the caller's thread (see `pointRead`).
    let pointReaders: [DatabaseQueue]
    /// Recently read objects (see `ObjectCache`).
    let objectCache = ObjectCache(capacity: SQLiteStore.objectCacheCapacity, byteBudget: SQLiteStore.objectCacheBytes)

    /// Sealed in `meta` by databases whose rows were not authenticated yet.
    static let keyringCheckLabel = Array("strongroom/keyring-check".utf8)
    static let recordsCheckLabel = RecordAuthenticator.recordsCheckLabel

    /// Opens (creating if needed) the database at `path`, migrates it and checks that `keyring`
    /// is the one its secrets were sealed with.
    public init(path: String, keyring: Keyring) throws {
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Destroyed key material (sealed, but the root key sits beside dev data) is overwritten, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // Statement journals of savepoints stay in memory: no temporary file per write.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        config.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try Migrations.migrator.migrate(pool)
        } catch {
            throw StoreError(.generalFailure, "cannot open database \(path): \(error)")
        }
        self.keyring = keyring
        self.writer = GroupCommitWriter(pool: pool)
        var readOnly = Configuration()
        readOnly.readonly = true
        readOnly.busyMode = .timeout(10)
        do {
            pointReaders = try (0..<Self.pointReaderCount).map { _ in try DatabaseQueue(path: path, configuration: readOnly) }
        } catch {
            throw StoreError(.generalFailure, "cannot open database \(path) for reading: \(error)")
        }
        records = RecordAuthenticator(keyring: keyring)
        try pool.write { [records] db in try Self.checkKeyring(db, keyring: keyring, records: records) }
    }

    /// Proves the root key and decides whether rows are authenticated. A new database gets the
    /// records check at once. A database from before authenticated records (its legacy keyring
    /// check opens) has every row given its MAC, CA keys re-sealed under their mount's AAD, and
    /// the legacy check replaced, in one transaction. Deleting the records check therefore never
    /// makes the server trust rows again: only a legacy check sealed by this root key (an older
    /// copy of this very database) would, which is rolling the database back — out of scope.
    static func checkKeyring(_ db: Database, keyring: Keyring, records: RecordAuthenticator) throws {
        let mismatch = RecordAuthenticator.rootKeyMismatch
        if let sealed = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'records_check'") {
            do { _ = try keyring.open(Array(sealed), aad: recordsCheckLabel) } catch { throw mismatch }
            return
        }
        if let legacy = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'keyring_check'") {
            do { _ = try keyring.open(Array(legacy), aad: keyringCheckLabel) } catch { throw mismatch }
            try records.authenticateExistingRows(db, keyring: keyring)
            try db.execute(sql: "DELETE FROM meta WHERE key = 'keyring_check'")
        }
        let sealed = try keyring.seal(recordsCheckLabel, aad: recordsCheckLabel)
        try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('records_check', ?)", arguments: [Data(sealed)])
    }

    /// Closes the database (checkpointing the WAL). The store must not be used afterwards.
    public func close() throws {
        for reader in pointReaders { try reader.close() }
        try pool.close()
    }

    /// Transactions the group-commit writer has committed so far.
    public var commitCount: Int { get async { await writer.commits } }

    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        // Database failures become General Failure; errors thrown by `work` itself (a refused
        // change inside `modify`) reach the caller unchanged.
        do { return try await writer.write(work) } catch let e as DatabaseError {
            throw StoreError(.generalFailure, "database write failed: \(e)")
        }
    }

    static let pointReaderCount = 4
    /// Objects kept by `ObjectCache`, and the bytes they may hold (attributes, names, sealed key material).
    static let objectCacheCapacity = 16_384
    static let objectCacheBytes = 32 << 20

    /// A point read (one object by its key: bounded work, microseconds with a warm page cache), on
    /// the serial queue of one of the point-read connections: SQLite's file I/O never runs on the
    /// cooperative pool or an event loop. Its connections serve nothing else. Scans (Locate) use
    /// `read`.
    func pointRead<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        // One explicit read transaction with cached BEGIN/COMMIT (a consistent snapshot for the
        // statements of `work`), cheaper than GRDB's generic read wrapper on this hot path.
        do {
            return try await pointReaders[Int.random(in: 0..<Self.pointReaderCount)].writeWithoutTransaction { db in
                try db.cachedStatement(sql: "BEGIN DEFERRED").execute()
                defer { try? db.cachedStatement(sql: "COMMIT").execute() }
                return try work(db)
            }
        } catch let e as StoreError { throw e } catch let e as RecordIntegrityError { throw e } catch {
            throw StoreError(.generalFailure, "database read failed: \(error)")
        }
    }

    func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.read(work) } catch let e as StoreError { throw e } catch let e as RecordIntegrityError { throw e } catch {
            throw StoreError(.generalFailure, "database read failed: \(error)")
        }
    }
}

/// Objects read recently, as verified, with their key material still sealed by the keyring: a
/// hit skips SQLite (no hand-off to a reader thread), the row MAC check and the attribute decode;
/// plaintext key material exists only while an operation uses it, as without the cache.
///
/// Consistency: every write to an object invalidates its entry after the write returns (before
/// the writer's caller resumes), and a read stores what it read only if no invalidation happened
/// since it began (`generation`), so a read that raced a write never leaves the older row behind.
/// Only this process writes the database (the server holds its data directory's lock).
///
/// Bounded in entries and in bytes (clients choose their attributes' size): an entry larger than
/// 1/64 of the byte budget is not kept; when either bound is reached, about a quarter of the
/// entries, chosen at random, are dropped at once (again until there is room: amortised O(1) per
/// store).
final class ObjectCache: @unchecked Sendable {
    struct Key: Hashable { let scopeID: String; let uniqueIdentifier: String }
    /// The record without its key material, that material as sealed in the row, and roughly the
    /// bytes the entry holds.
    struct Entry: Sendable { let record: ManagedObjectRecord; let sealedKey: [UInt8]?; let cost: Int }

    private let lock = NIOLock()
    private var entries: [Key: Entry] = [:]
    private var bytes = 0
    private var invalidations: UInt64 = 0
    let capacity: Int
    let byteBudget: Int

    init(capacity: Int, byteBudget: Int) {
        self.capacity = capacity
        self.byteBudget = byteBudget
    }

    func entry(_ key: Key) -> Entry? { lock.withLock { entries[key] } }

    /// Taken before a read; hand it back to `store` with what the read found.
    var generation: UInt64 { lock.withLock { invalidations } }

    func store(_ entry: Entry, for key: Key, readAt generation: UInt64) {
        guard capacity > 0, entry.cost <= byteBudget / 64 else { return }
        lock.withLock {
            guard invalidations == generation else { return }
            // Out before evicting, so its cost is never taken off twice.
            if let old = entries.removeValue(forKey: key) { bytes -= old.cost }
            while !entries.isEmpty, entries.count >= capacity || bytes + entry.cost > byteBudget { evictQuarter() }
            entries[key] = entry
            bytes += entry.cost
        }
    }

    /// Drops each entry with probability 1/4 (under the lock).
    private func evictQuarter() {
        entries = entries.filter { _, entry in
            if Int.random(in: 0..<4) == 0 { bytes -= entry.cost; return false }
            return true
        }
    }

    func invalidate(_ key: Key) {
        lock.withLock {
            invalidations &+= 1
            if let old = entries.removeValue(forKey: key) { bytes -= old.cost }
        }
    }

    func invalidateAll() { lock.withLock { invalidations &+= 1; entries.removeAll(); bytes = 0 } }

    var count: Int { lock.withLock { entries.count } }
    var byteCount: Int { lock.withLock { bytes } }
}
