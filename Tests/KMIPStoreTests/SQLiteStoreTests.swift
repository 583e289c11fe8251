import Foundation
import GRDB
import KMIP
import XCTest
@testable import KMIPStore

final class SQLiteStoreTests: XCTestCase {
    var directory: URL!
    var path: String { directory.appendingPathComponent("store.sqlite").path }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmipstore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testMigratesAnEmptyFileWithWALAndFullSync() async throws {
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let store = try SQLiteStore(path: path, keyring: .random())
        let (applied, tables, journal, sync, indexes) = try await store.pool.read { db in
            (try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"),
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
             try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'"))
        }
        XCTAssertEqual(applied, ["v1", "v2", "v3", "v4", "v5"])
        for t in ["objects", "object_names", "object_values", "scopes", "roles", "credentials", "config", "ca_material", "meta",
                  "mounts", "tokens", "audit_devices", "policies"] {
            XCTAssertTrue(tables.contains(t), t)
        }
        XCTAssertEqual(journal, "wal")
        XCTAssertEqual(sync, 2)   // FULL
        XCTAssertTrue(indexes.contains("object_names_lookup"))
        XCTAssertTrue(indexes.contains("objects_by_type"))
    }

    func testLocateByNameUsesTheNamesIndex() async throws {
        let store = try SQLiteStore(path: path, keyring: .random())
        let plan = try await store.pool.read { db in
            try Row.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT o.uid FROM object_names n JOIN objects o ON o.seq = n.object_seq
                WHERE n.scope_id = 'a' AND n.name = 'b' ORDER BY n.initial_date DESC, n.object_seq DESC LIMIT 1 OFFSET 0
                """).map { $0["detail"] as String }.joined(separator: "\n")
        }
        XCTAssertTrue(plan.contains("object_names_lookup"), plan)
        XCTAssertFalse(plan.contains("TEMP B-TREE"), plan)
    }

    func testLocateByAttributeValueUsesTheValueIndex() async throws {
        let store = try SQLiteStore(path: path, keyring: .random())
        var q = ObjectQuery(attributes: [AttributeMatch("x-app", equals: .textString("billing"))])
        q.maximumItems = 10
        let (sql, arguments) = SQLiteStore.locateSQL(scopeID: "scopA", q, counting: false)
        let plan = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
                .joined(separator: "\n")
        }
        XCTAssertTrue(plan.contains("object_values_by_value"), plan)
    }

    /// Locate's default (on-line only) query keeps the v1 indexes and needs no sort step.
    func testDefaultLocateQueriesSortFromTheIndexes() async throws {
        let store = try SQLiteStore(path: path, keyring: .random())
        for (q, index) in [(ObjectQuery(name: "k", storageStatusMask: .onLineStorage, maximumItems: 1), "object_names_lookup"),
                           (ObjectQuery(storageStatusMask: .onLineStorage, maximumItems: 1), "objects_by_date")] {
            let (sql, arguments) = SQLiteStore.locateSQL(scopeID: "scopA", q, counting: false)
            let plan = try await store.pool.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
                    .joined(separator: "\n")
            }
            XCTAssertTrue(plan.contains(index), plan)
            XCTAssertFalse(plan.contains("TEMP B-TREE"), plan)
        }
    }

    /// Objects stored before v2 get their usage mask and value index when v2 runs.
    func testMigrationV2IndexesExistingObjects() async throws {
        let target = Identifiers.uniqueIdentifier()
        let attributes = [Attribute(ObjectType.symmetricKey), Attribute(Link(.publicKeyLink, target)),
                          Attribute(CryptographicUsageMask([.encrypt, .decrypt]))]
        do {
            let pool = try DatabasePool(path: path)
            try Migrations.migrator.migrate(pool, upTo: "v1")
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT INTO objects (uid, scope_id, object_type, state, initial_date, attributes)
                    VALUES ('old', 'scopA', ?, ?, 5, ?)
                    """, arguments: [ObjectType.symmetricKey.rawValue, State.preActive.rawValue,
                                     Data(AttributeBlob.encode(attributes))])
            }
            try pool.close()
        }
        let store = try SQLiteStore(path: path, keyring: .random())
        let byLink = try await store.locate(scopeID: "scopA", ObjectQuery(attributes: [
            AttributeMatch("Link", equals: .structure(Link(.publicKeyLink, target)))]))
        XCTAssertEqual(byLink, ["old"])
        let byMask = try await store.locate(scopeID: "scopA", ObjectQuery(cryptographicUsageMask: CryptographicUsageMask.decrypt.rawValue))
        XCTAssertEqual(byMask, ["old"])
        let online = try await store.locate(scopeID: "scopA", ObjectQuery(storageStatusMask: .onLineStorage))
        XCTAssertEqual(online, ["old"])
    }

    func testObjectCacheRefusesAReadThatRacedAnInvalidation() {
        let cache = ObjectCache(capacity: 2, byteBudget: 64 << 10)
        let key = ObjectCache.Key(scopeID: "scopA", uniqueIdentifier: "u1")
        let entry = ObjectCache.Entry(record: StoreConformanceTests.object(names: ["k"]), sealedKey: nil, cost: 100)
        let before = cache.generation
        cache.invalidate(key)
        cache.store(entry, for: key, readAt: before)
        XCTAssertNil(cache.entry(key), "a read that began before a write must not be cached after it")
        cache.store(entry, for: key, readAt: cache.generation)
        XCTAssertNotNil(cache.entry(key))
        for n in 0..<50 {
            cache.store(entry, for: ObjectCache.Key(scopeID: "scopA", uniqueIdentifier: "v\(n)"), readAt: cache.generation)
            XCTAssertLessThanOrEqual(cache.count, 2, "bounded in entries")
        }
        cache.invalidateAll()
        XCTAssertEqual(cache.count, 0)
        XCTAssertEqual(cache.byteCount, 0)
    }

    /// Clients choose their attributes' size: the cache holds at most its byte budget, and never
    /// an entry over 1/64 of it.
    func testObjectCacheIsBoundedInBytes() {
        let cache = ObjectCache(capacity: 1_000, byteBudget: 64_000)
        let record = StoreConformanceTests.object(names: ["k"])
        cache.store(ObjectCache.Entry(record: record, sealedKey: nil, cost: 1_001), for: .init(scopeID: "s", uniqueIdentifier: "big"),
                    readAt: cache.generation)
        XCTAssertEqual(cache.count, 0, "an entry over 1/64 of the budget is not kept")
        for n in 0..<500 {
            cache.store(ObjectCache.Entry(record: record, sealedKey: nil, cost: 1_000), for: .init(scopeID: "s", uniqueIdentifier: "\(n)"),
                        readAt: cache.generation)
            XCTAssertLessThanOrEqual(cache.byteCount, 64_000)
        }
        XCTAssertGreaterThan(cache.count, 30, "evictions drop a part, not everything")
        // Re-storing cached keys while full keeps the byte count exact.
        for n in 0..<500 {
            cache.store(ObjectCache.Entry(record: record, sealedKey: nil, cost: 1_000), for: .init(scopeID: "s", uniqueIdentifier: "\(n % 70)"),
                        readAt: cache.generation)
            XCTAssertEqual(cache.byteCount, cache.count * 1_000)
        }
    }

    func testCachedReadsFollowEveryWrite() async throws {
        let store = try SQLiteStore(path: directory.appendingPathComponent("c.sqlite").path, keyring: .random())
        var o = StoreConformanceTests.object(names: ["k"])
        o.keyMaterial = StoredSecret([1, 2, 3])
        try await store.insert(o)
        let first = try await store.object(scopeID: o.scopeID, uniqueIdentifier: o.uniqueIdentifier)
        XCTAssertEqual(first?.keyMaterial, StoredSecret([1, 2, 3]))
        XCTAssertEqual(store.objectCache.count, 1)
        let again = try await store.object(scopeID: o.scopeID, uniqueIdentifier: o.uniqueIdentifier)
        XCTAssertEqual(again, first, "a hit returns the record as read, key material opened")
        _ = try await store.modify(scopeID: o.scopeID, uniqueIdentifier: o.uniqueIdentifier, inserting: nil) { $0.state = .active }
        let modified = try await store.object(scopeID: o.scopeID, uniqueIdentifier: o.uniqueIdentifier)
        XCTAssertEqual(modified?.state, .active)
        try await store.delete(scopeID: o.scopeID, uniqueIdentifier: o.uniqueIdentifier)
        let gone = try await store.object(scopeID: o.scopeID, uniqueIdentifier: o.uniqueIdentifier)
        XCTAssertNil(gone)
    }

    func testReadAfterUpdateSeesTheNewAttributes() async throws {
        let store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path, keyring: .random())
        var o = StoreConformanceTests.object(names: ["k"])
        try await store.insert(o)
        _ = try await store.object(scopeID: o.scopeID, uniqueIdentifier: o.uniqueIdentifier)
        o.attributes.append(Attribute(name: "x-late", value: .textString("yes")))
        try await store.update(o)
        let read = try await store.object(scopeID: o.scopeID, uniqueIdentifier: o.uniqueIdentifier)
        XCTAssertEqual(read?.attributes.last?.attributeName, "x-late")
    }

    /// A database written before mounts existed (migrated up to "v2", rows inserted the v2 way)
    /// opens with its data under a `kmip/` mount, objects still readable and locatable.
    func testV2DataMovesUnderAKmipMount() async throws {
        let keyring = Keyring.random()
        let object = StoreConformanceTests.object(scope: "sc0pe", names: ["legacy-key"])
        do {
            let queue = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(queue, upTo: "v2")
            let sealedCA = Data(try keyring.seal([7, 7], aad: Keyring.legacyCAKeyAAD(index: 0)))
            // What a server of that time wrote at first open: the legacy keyring check.
            let check = Data(try keyring.seal(SQLiteStore.keyringCheckLabel, aad: SQLiteStore.keyringCheckLabel))
            let sealedKey = Data(try keyring.seal(object.keyMaterial!.bytes,
                                                  aad: Keyring.objectAAD(scopeID: "sc0pe", uniqueIdentifier: object.uniqueIdentifier)))
            try await queue.write { db in
                try db.execute(sql: """
                    INSERT INTO config (id, json) VALUES (1, '{"legacy":true}');
                    INSERT INTO ca_material (position, certificate, private_key) VALUES (0, x'3001', ?);
                    INSERT INTO scopes (id, name) VALUES ('sc0pe', 'legacy');
                    INSERT INTO roles (scope_id, name, id, all_operations, operations) VALUES ('sc0pe', 'admin', 'r01e1', 1, '');
                    INSERT INTO credentials (serial, scope_id, role_name, certificate, expires_at) VALUES ('99', 'sc0pe', 'admin', x'30', 0);
                    INSERT INTO meta (key, value) VALUES ('keyring_check', ?);
                    """, arguments: [sealedCA, check])
                try db.execute(sql: """
                    INSERT INTO objects (uid, scope_id, object_type, state, algorithm, length, initial_date, attributes,
                        key_material, usage_mask, archived)
                    VALUES (?, 'sc0pe', ?, ?, ?, ?, ?, ?, ?, NULL, 0)
                    """, arguments: [object.uniqueIdentifier, object.objectType.rawValue, object.state.rawValue,
                                     object.cryptographicAlgorithm?.rawValue, object.cryptographicLength,
                                     object.initialDate.secondsSince1970, Data(AttributeBlob.encode(object.attributes)), sealedKey])
                let seq = db.lastInsertedRowID
                try db.execute(sql: "INSERT INTO object_names (object_seq, scope_id, name, initial_date) VALUES (?, 'sc0pe', 'legacy-key', ?)",
                               arguments: [seq, object.initialDate.secondsSince1970])
                try SQLiteStore.writeIndex(db, seq: seq, scopeID: "sc0pe", attributes: object.attributes)
            }
            try queue.close()
        }

        let store = try SQLiteStore(path: path, keyring: keyring)
        let mounts = try await store.mounts()
        XCTAssertEqual(mounts.count, 1)
        let entry = try XCTUnwrap(mounts.first)
        XCTAssertEqual(entry.path, "kmip/")
        XCTAssertEqual(entry.type, "kmip")
        XCTAssertTrue(Identifiers.isBase62(entry.id, count: 8), entry.id)
        XCTAssertNotNil(entry.accessor.wholeMatch(of: /kmip_[0-9a-f]{8}/), entry.accessor)

        let view = store.mountStore(mountID: entry.id)
        let config = try await view.config(), ca = try await view.caMaterial()
        XCTAssertEqual(config?.json, #"{"legacy":true}"#)
        XCTAssertEqual(ca?.certificatesDER, [[0x30, 0x01]])
        XCTAssertEqual(ca?.privateKeys, [StoredSecret([7, 7])])
        let scope = try await view.scope(named: "legacy")
        XCTAssertEqual(scope?.id, "sc0pe")
        let role = try await view.role(scopeID: "sc0pe", id: "r01e1"), credential = try await view.credential(serialNumber: "99")
        XCTAssertEqual(role?.allowsAllOperations, true)
        XCTAssertEqual(credential?.roleName, "admin")
        let read = try await store.object(scopeID: "sc0pe", uniqueIdentifier: object.uniqueIdentifier)
        XCTAssertEqual(read, object)
        let located = try await store.locate(scopeID: "sc0pe", ObjectQuery(name: "legacy-key"))
        XCTAssertEqual(located, [object.uniqueIdentifier])
        // v4 rebuilt the objects table: identifiers are unique per scope now, and the names and
        // values tables still reach the rows by their kept sequence numbers.
        var twin = object
        twin.scopeID = "0ther"
        try await store.insert(twin)
        let twinRead = try await store.object(scopeID: "0ther", uniqueIdentifier: object.uniqueIdentifier)
        XCTAssertEqual(twinRead, twin)
        try await store.delete(scopeID: "0ther", uniqueIdentifier: object.uniqueIdentifier)
        let stillThere = try await store.locate(scopeID: "sc0pe", ObjectQuery(name: "legacy-key"))
        XCTAssertEqual(stillThere, [object.uniqueIdentifier])
        let foreignKeys = try await store.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        XCTAssertTrue(foreignKeys.isEmpty, "\(foreignKeys)")
        // Another mount sees none of it, and may use the same scope name.
        let other = store.mountStore(mountID: "newMount")
        let otherConfig = try await other.config(), otherScope = try await other.scope(named: "legacy")
        XCTAssertNil(otherConfig)
        XCTAssertNil(otherScope)
        try await other.insertScope(ScopeRecord(name: "legacy"))
        // The pragmas still hold.
        let secureDelete = try await store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") }
        XCTAssertEqual(secureDelete, 1)
        try store.close()

        // Reopening migrates nothing again: still one mount, the same one.
        let reopened = try SQLiteStore(path: path, keyring: keyring)
        let again = try await reopened.mounts()
        XCTAssertEqual(again, [entry])
        try reopened.close()
    }

    /// An empty v2 database gets no mount: dev mode or the API creates the first one.
    func testEmptyV2DatabaseGetsNoMount() async throws {
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(queue, upTo: "v2")
        try queue.close()
        let store = try SQLiteStore(path: path, keyring: .random())
        let mounts = try await store.mounts()
        XCTAssertEqual(mounts, [])
        try store.close()
    }

    /// Two stores on one file stand in for two nodes: their first CAs race, one CA is kept, and
    /// both are told which.
    func testTwoStoresOnOneFileKeepOneCA() async throws {
        let keyring = Keyring.random()
        let a = try SQLiteStore(path: path, keyring: keyring), b = try SQLiteStore(path: path, keyring: keyring)
        defer { try? a.close(); try? b.close() }
        let results = try await withThrowingTaskGroup(of: CAMaterial.self) { group in
            for (i, store) in [a, b, a, b].enumerated() {
                group.addTask {
                    try await store.mountStore(mountID: "mountAAA").createCAMaterial(
                        CAMaterial(certificatesDER: [[0x30, UInt8(i)]], privateKeys: [StoredSecret([UInt8(i)])]))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(Set(results.map(\.certificatesDER)).count, 1, "every writer is told the one CA kept")
        let storedA = try await a.mountStore(mountID: "mountAAA").caMaterial()
        let storedB = try await b.mountStore(mountID: "mountAAA").caMaterial()
        XCTAssertEqual(storedA, results[0])
        XCTAssertEqual(storedB, results[0])
    }

    /// Config updates from two stores on one file (two nodes) are read-modify-write transactions:
    /// 40 concurrent increments of one counter end at 40 (a read-then-write would lose some).
    func testConfigUpdatesFromTwoStoresOnOneFileLoseNothing() async throws {
        let keyring = Keyring.random()
        let a = try SQLiteStore(path: path, keyring: keyring), b = try SQLiteStore(path: path, keyring: keyring)
        defer { try? a.close(); try? b.close() }
        let increment: @Sendable (ConfigRecord?) throws -> ConfigRecord = { record in
            ConfigRecord(json: String((record.flatMap { Int($0.json) } ?? 0) + 1))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<40 {
                let store = i.isMultiple(of: 2) ? a : b
                group.addTask { _ = try await store.mountStore(mountID: "mountAAA").updateConfig(increment) }
            }
            try await group.waitForAll()
        }
        let final = try await b.mountStore(mountID: "mountAAA").config()
        XCTAssertEqual(final?.json, "40")
        // A change that throws stores nothing.
        struct Refused: Error {}
        do { _ = try await a.mountStore(mountID: "mountAAA").updateConfig { _ in throw Refused() }; XCTFail() } catch is Refused {}
        let unchanged = try await a.mountStore(mountID: "mountAAA").config()
        XCTAssertEqual(unchanged?.json, "40")
    }

    func testReopenKeepsData() async throws {
        let keyring = Keyring.random()
        let o = StoreConformanceTests.object(names: ["durable"])
        do {
            let store = try SQLiteStore(path: path, keyring: keyring)
            try await store.insert(o)
            try await store.mountStore(mountID: "mountAAA").insertScope(ScopeRecord(name: "s", id: "abcde"))
            _ = try await store.mountStore(mountID: "mountAAA").createCAMaterial(CAMaterial(certificatesDER: [[1]], privateKeys: [StoredSecret([2])]))
            try store.close()
        }
        let reopened = try SQLiteStore(path: path, keyring: keyring)
        let fetched = try await reopened.object(scopeID: o.scopeID, uniqueIdentifier: o.uniqueIdentifier)
        XCTAssertEqual(fetched, o)
        let located = try await reopened.locate(scopeID: o.scopeID, ObjectQuery(name: "durable"))
        XCTAssertEqual(located, [o.uniqueIdentifier])
        let scope = try await reopened.mountStore(mountID: "mountAAA").scope(named: "s")
        XCTAssertEqual(scope?.id, "abcde")
        let ca = try await reopened.mountStore(mountID: "mountAAA").caMaterial()
        XCTAssertEqual(ca?.privateKeys, [StoredSecret([2])])
    }

    func testWrongRootKeyIsRefused() async throws {
        let store = try SQLiteStore(path: path, keyring: .random())
        try await store.insert(StoreConformanceTests.object())
        try store.close()
        XCTAssertThrowsError(try SQLiteStore(path: path, keyring: .random())) { error in
            XCTAssertTrue("\(error)".contains("root key does not match"), "\(error)")
        }
    }

    func testTamperedKeyMaterialFailsClearly() async throws {
        let store = try SQLiteStore(path: path, keyring: .random())
        let a = StoreConformanceTests.object()
        let b = StoreConformanceTests.object()
        try await store.insert(a)
        try await store.insert(b)
        // A flipped byte fails authentication.
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE objects SET key_material = substr(key_material, 1, 20) || x'FF' || substr(key_material, 22) WHERE uid = ?",
                           arguments: [a.uniqueIdentifier])
        }
        // The row's MAC fails first; with the MACs recomputed (as only the MAC key's holder could),
        // the seal itself still fails.
        do {
            _ = try await store.object(scopeID: a.scopeID, uniqueIdentifier: a.uniqueIdentifier)
            XCTFail("a row with flipped key material was served")
        } catch is RecordIntegrityError {}
        try await store.pool.write { db in try store.records.authenticateAllRowsForTest(db) }
        await assertStoreError(.generalFailure) { _ = try await store.object(scopeID: a.scopeID, uniqueIdentifier: a.uniqueIdentifier) }
        // A blob copied from another object fails too (the AAD binds it to its scope and identifier).
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE objects SET key_material = (SELECT key_material FROM objects WHERE uid = ?) WHERE uid = ?",
                           arguments: [b.uniqueIdentifier, a.uniqueIdentifier])
            try store.records.authenticateAllRowsForTest(db)
        }
        await assertStoreError(.generalFailure) { _ = try await store.object(scopeID: a.scopeID, uniqueIdentifier: a.uniqueIdentifier) }
        let intact = try await store.object(scopeID: b.scopeID, uniqueIdentifier: b.uniqueIdentifier)
        XCTAssertEqual(intact, b)
    }

    func testDatabaseFilesNeverHoldRawKeyBytes() async throws {
        let marker = Array("STRONGROOM-RAW-KEY-MARKER-4242!!".utf8)
        let caMarker = Array("STRONGROOM-CA-PRIVATE-KEY-MARKER".utf8)
        let visible = "visible-name-marker"
        let store = try SQLiteStore(path: path, keyring: .random())
        try await store.insert(StoreConformanceTests.object(names: [visible], key: marker))
        _ = try await store.mountStore(mountID: "mountAAA").createCAMaterial(CAMaterial(certificatesDER: [[0x30]], privateKeys: [StoredSecret(caMarker)]))

        // While open (the WAL still holds the pages) and after close.
        func scan() throws -> [UInt8] {
            var all: [UInt8] = []
            for suffix in ["", "-wal", "-shm"] {
                if let d = FileManager.default.contents(atPath: path + suffix) { all += d }
            }
            return all
        }
        let openBytes = try scan()
        XCTAssertTrue(openBytes.contains(subsequence: Array(visible.utf8)), "the scan must see plaintext columns")
        XCTAssertFalse(openBytes.contains(subsequence: marker))
        XCTAssertFalse(openBytes.contains(subsequence: caMarker))
        try store.close()
        let closedBytes = try scan()
        XCTAssertTrue(closedBytes.contains(subsequence: Array(visible.utf8)))
        XCTAssertFalse(closedBytes.contains(subsequence: marker))
        XCTAssertFalse(closedBytes.contains(subsequence: caMarker))
    }

    func testConcurrentWritesAreGroupCommitted() async throws {
        let store = try SQLiteStore(path: path, keyring: .random())
        let count = 400
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<count {
                group.addTask { try await store.insert(StoreConformanceTests.object(date: Int64(i))) }
            }
            try await group.waitForAll()
        }
        let commits = await store.commitCount
        let located = try await store.locate(scopeID: "scopA", ObjectQuery())
        XCTAssertEqual(located.count, count)
        XCTAssertLessThan(commits, count, "concurrent writes should share transactions")
    }

    func testAFailingWriteDoesNotSpoilItsBatch() async throws {
        let store = try SQLiteStore(path: path, keyring: .random())
        let existing = StoreConformanceTests.object()
        try await store.insert(existing)
        let fresh = (0..<50).map { _ in StoreConformanceTests.object() }
        let results = await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await store.insert(existing)) != nil }   // duplicate: fails
            for o in fresh { group.addTask { (try? await store.insert(o)) != nil } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        XCTAssertEqual(results.filter { !$0 }.count, 1)
        let located = try await store.locate(scopeID: "scopA", ObjectQuery())
        XCTAssertEqual(located.count, 51)
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        return (0...(count - needle.count)).contains { i in self[i..<(i + needle.count)].elementsEqual(needle) }
    }
}
