import Foundation
import GRDB
import KMIP

/// The SQLite store: a GRDB `DatabasePool` in WAL mode with `synchronous = FULL` (a committed
/// write survives a crash), migrated on open, all writes through one group-commit writer. Key
/// material and CA private keys are sealed by the keyring before they reach SQLite.
public final class SQLiteStore: ObjectStore, MountStore, Sendable {
    let pool: DatabasePool
    let keyring: Keyring
    let writer: GroupCommitWriter
    public let path: String

    static let keyringCheckLabel = Array("strongroom/keyring-check".utf8)

    /// Opens (creating if needed) the database at `path`, migrates it and checks that `keyring`
    /// is the one its secrets were sealed with.
    public init(path: String, keyring: Keyring) throws {
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        config.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try Migrations.migrator.migrate(pool)
        } catch {
            throw StoreError(.generalFailure, "cannot open database \(path): \(error)")
        }
        self.path = path
        self.keyring = keyring
        self.writer = GroupCommitWriter(pool: pool)
        try pool.write { db in
            if let sealed = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'keyring_check'") {
                do { _ = try keyring.open(Array(sealed), aad: Self.keyringCheckLabel) } catch {
                    throw StoreError(.generalFailure, "the root key does not match the one this database was sealed with")
                }
            } else {
                let sealed = try keyring.seal(Self.keyringCheckLabel, aad: Self.keyringCheckLabel)
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('keyring_check', ?)", arguments: [Data(sealed)])
            }
        }
    }

    /// Closes the database (checkpointing the WAL). The store must not be used afterwards.
    public func close() throws { try pool.close() }

    /// Transactions the group-commit writer has committed so far.
    public var commitCount: Int { get async { await writer.commits } }

    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await writer.write(work) } catch let e as StoreError { throw e } catch {
            throw StoreError(.generalFailure, "database write failed: \(error)")
        }
    }

    func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.read(work) } catch let e as StoreError { throw e } catch {
            throw StoreError(.generalFailure, "database read failed: \(error)")
        }
    }
}
