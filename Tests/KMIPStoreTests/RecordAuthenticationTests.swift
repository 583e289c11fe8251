import Foundation
import GRDB
import KMIP
import XCTest
@testable import KMIPStore

/// Someone who can write the SQLite file but does not hold the root key cannot change what the
/// server does: every row that decides access or holds secrets is authenticated, and a row that
/// fails is refused, never served or acted on.
final class RecordAuthenticationTests: XCTestCase {
    var directory: URL!
    var path: String { directory.appendingPathComponent("store.sqlite").path }
    let keyring = Keyring.random()
    let mountID = "mountAAA"

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("records-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// One row in every authenticated table; returns the object's identifier.
    func populate(_ store: SQLiteStore) async throws -> String {
        let now = DateTime(secondsSince1970: 1_700_000_000)
        try await store.insertMount(MountEntry(id: mountID, path: "kmip/", type: "kmip", accessor: "kmip_0000", createdAt: now))
        try await store.insertToken(TokenRecord(accessor: "acc", tokenHash: Array(repeating: 1, count: 32), policies: ["ops"],
                                                displayName: "token", createdAt: now))
        try await store.putPolicy(PolicyRecord(name: "ops", text: #"path "kmip/*" { capabilities = ["read"] }"#))
        try await store.insertAuditDevice(AuditDeviceRecord(path: "file/", type: "file", options: ["file_path": "discard"]))
        let view = store.mountStore(mountID: mountID)
        try await view.setConfig(ConfigRecord(json: #"{"listen_addrs":["127.0.0.1:5696"]}"#))
        _ = try await view.createCAMaterial(CAMaterial(certificatesDER: [[0x30, 0x01]], privateKeys: [StoredSecret([9, 9, 9])]))
        try await view.insertScope(ScopeRecord(name: "s1", id: "scop1"))
        try await view.putRole(RoleRecord(scopeID: "scop1", name: "reader", id: "role1", allowsAllOperations: false, operations: [.get]))
        try await view.addCredential(CredentialRecord(serialNumber: "42", scopeID: "scop1", roleName: "reader", certificateDER: [0x30],
                                                      expiresAt: DateTime(secondsSince1970: 4_000_000_000)))
        var object = StoreConformanceTests.object(scope: "scop1")
        object.attributes.append(Attribute(name: "Extractable", value: .boolean(false)))
        try await store.insert(object)
        return object.uniqueIdentifier
    }

    /// Reads every authenticated table once; rethrows what the first failing read threw.
    func readAll(_ store: SQLiteStore, uid: String) async throws {
        _ = try await store.mounts()
        _ = try await store.tokens()
        _ = try await store.policies()
        _ = try await store.auditDevices()
        let view = store.mountStore(mountID: mountID)
        _ = try await view.config()
        _ = try await view.caMaterial()
        _ = try await view.scopes()
        _ = try await view.roles(scopeID: "scop1")
        _ = try await view.credential(serialNumber: "42")
        _ = try await store.object(scopeID: "scop1", uniqueIdentifier: uid)
    }

    /// The MAC input is a stored format: databases written by earlier builds must keep verifying.
    func testTheMACInputFramingIsStable() {
        func frame(_ tag: UInt8, _ bytes: [UInt8]) -> [UInt8] {
            [tag] + withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { Array($0) } + bytes
        }
        let text = { (s: String) in frame(3, Array(s.utf8)) }
        var expected = text("strongroom-record-v1/policies")
        expected += text("name") + text("ops")
        expected += text("text") + frame(4, [0xFF, 0x00])
        XCTAssertEqual(RecordAuthenticator.input(.policies, ["ops".databaseValue, Data([0xFF, 0x00]).databaseValue]), expected)
        var scalar = text("strongroom-record-v1/tokens")
        let values: [DatabaseValue] = [.null, 7.databaseValue, 1.5.databaseValue, "".databaseValue, "".databaseValue,
                                       (-1).databaseValue, .null]
        let framed: [[UInt8]] = [frame(0, []), frame(1, [0, 0, 0, 0, 0, 0, 0, 7]),
                                 frame(2, withUnsafeBytes(of: 1.5.bitPattern.bigEndian) { Array($0) }), text(""), text(""),
                                 frame(1, Array(repeating: 0xFF, count: 8)), frame(0, [])]
        for (name, bytes) in zip(RecordTable.tokens.columns, framed) { scalar += text(name) + bytes }
        XCTAssertEqual(RecordAuthenticator.input(.tokens, values), scalar)
    }

    func testAnEditedRowOfEveryTableIsRefused() async throws {
        let edits: [(RecordTable, String)] = [
            (.mounts, "UPDATE mounts SET path = 'evil/'"),
            (.tokens, "UPDATE tokens SET policies = '[\"root\"]'"),
            (.policies, #"UPDATE policies SET text = 'path "*" { capabilities = ["sudo", "read"] }'"#),
            (.auditDevices, #"UPDATE audit_devices SET options = '{"file_path":"/root/.ssh/authorized_keys"}'"#),
            (.config, #"UPDATE config SET json = '{"listen_addrs":["0.0.0.0:5696"]}'"#),
            (.caMaterial, "UPDATE ca_material SET certificate = x'3002'"),
            (.scopes, "UPDATE scopes SET name = 'other'"),
            (.roles, "UPDATE roles SET all_operations = 1"),
            (.credentials, "UPDATE credentials SET expires_at = 9999999999"),
            (.objects, "UPDATE objects SET state = 2"),
        ]
        XCTAssertEqual(Set(edits.map(\.0)), Set(RecordTable.allCases), "every authenticated table is tried")
        for (table, sql) in edits {
            try? FileManager.default.removeItem(atPath: path)
            let store = try SQLiteStore(path: path, keyring: keyring)
            let uid = try await populate(store)
            try await readAll(store, uid: uid)   // untouched, everything reads
            try await store.pool.write { db in try db.execute(sql: sql) }
            // A new process (nothing cached) reads the edited file.
            try store.close()
            let reopened = try SQLiteStore(path: path, keyring: keyring)
            defer { try? reopened.close() }
            do {
                try await readAll(reopened, uid: uid)
                XCTFail("an edited \(table.rawValue) row was served")
            } catch let error as RecordIntegrityError {
                XCTAssertEqual(error.table, table.rawValue)
            }
        }
    }

    /// The finding: insert a root token row, or flip Extractable in an object's attributes.
    func testAnInsertedRootTokenAndAFlippedExtractableAreRefused() async throws {
        let store = try SQLiteStore(path: path, keyring: keyring)
        let uid = try await populate(store)
        let forged = Array(repeating: UInt8(7), count: 32)
        try await store.pool.write { db in
            try db.execute(sql: """
                INSERT INTO tokens (accessor, token_hash, policies, display_name, created_at, mac)
                VALUES ('forged', ?, '["root"]', 'root', 0, randomblob(32))
                """, arguments: [Data(forged)])
        }
        do {
            _ = try await store.token(hash: forged)
            XCTFail("a forged root token was accepted")
        } catch is RecordIntegrityError {}

        let original = try await store.object(scopeID: "scop1", uniqueIdentifier: uid)
        var flipped = try XCTUnwrap(original)
        flipped.attributes.removeAll { $0.attributeName == "Extractable" }
        flipped.attributes.append(Attribute(name: "Extractable", value: .boolean(true)))
        let blob = Data(AttributeBlob.encode(flipped.attributes))
        try await store.pool.write { db in try db.execute(sql: "UPDATE objects SET attributes = ? WHERE uid = ?", arguments: [blob, uid]) }
        // The running store serves the object as it last read it (cached), never the edited row.
        let cached = try await store.object(scopeID: "scop1", uniqueIdentifier: uid)
        XCTAssertEqual(cached, original)
        let reopened = try SQLiteStore(path: path, keyring: keyring)
        defer { try? reopened.close() }
        do {
            _ = try await reopened.object(scopeID: "scop1", uniqueIdentifier: uid)
            XCTFail("an object with edited attributes was served")
        } catch is RecordIntegrityError {}
        do {
            _ = try await store.modify(scopeID: "scop1", uniqueIdentifier: uid, inserting: nil) { _ in }
            XCTFail("an object with edited attributes was changed")
        } catch is RecordIntegrityError {}
        try store.close()
    }

    /// Rows cannot move: not an object to another scope, not a CA key to another mount.
    func testRowsCannotMoveToAnotherScopeOrMount() async throws {
        let store = try SQLiteStore(path: path, keyring: keyring)
        let uid = try await populate(store)
        try await store.pool.write { db in try db.execute(sql: "UPDATE objects SET scope_id = 'scop2'") }
        do {
            _ = try await store.object(scopeID: "scop2", uniqueIdentifier: uid)
            XCTFail("an object moved to another scope was served")
        } catch is RecordIntegrityError {}

        let other = store.mountStore(mountID: "mountBBB")
        _ = try await other.createCAMaterial(CAMaterial(certificatesDER: [[0x30, 0x02]], privateKeys: [StoredSecret([5, 5])]))
        // Swap the sealed private keys between the mounts, each keeping its own (valid) MAC column.
        let mountID = self.mountID
        try await store.pool.write { db in
            let a = try Data.fetchOne(db, sql: "SELECT private_key FROM ca_material WHERE mount_id = ?", arguments: [mountID])!
            let b = try Data.fetchOne(db, sql: "SELECT private_key FROM ca_material WHERE mount_id = 'mountBBB'")!
            try db.execute(sql: "UPDATE ca_material SET private_key = ? WHERE mount_id = ?", arguments: [b, mountID])
            try db.execute(sql: "UPDATE ca_material SET private_key = ? WHERE mount_id = 'mountBBB'", arguments: [a])
        }
        do {
            _ = try await store.mountStore(mountID: mountID).caMaterial()
            XCTFail("a CA key of another mount was used")
        } catch is RecordIntegrityError {}
        // Even with the MACs recomputed (as if the MAC key leaked), the seal names the mount.
        try await store.pool.write { db in try store.records.authenticateAllRowsForTest(db) }
        do {
            _ = try await store.mountStore(mountID: mountID).caMaterial()
            XCTFail("a CA key of another mount opened")
        } catch let error as StoreError {
            XCTAssertEqual(error.reason, .generalFailure)
        }
        try store.close()
    }

    /// Deleting the records check does not make the server trust rows again; only the legacy
    /// check of an older copy of the database would, which is a rollback (out of scope).
    func testDeletingTheRecordsCheckDoesNotLaunderTamperedRows() async throws {
        let store = try SQLiteStore(path: path, keyring: keyring)
        _ = try await populate(store)
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE roles SET all_operations = 1")
            try db.execute(sql: "DELETE FROM meta WHERE key = 'records_check'")
        }
        try store.close()
        let reopened = try SQLiteStore(path: path, keyring: keyring)
        do {
            _ = try await reopened.mountStore(mountID: mountID).roles(scopeID: "scop1")
            XCTFail("a tampered role was laundered by a reopen")
        } catch is RecordIntegrityError {}
        _ = try await reopened.mounts()   // untouched rows still read
        try reopened.close()
        XCTAssertThrowsError(try SQLiteStore(path: path, keyring: .random()), "another root key is refused")
    }
}

extension RecordAuthenticator {
    /// Recomputes every row's MAC (only a holder of the MAC key could): isolates what the AAD adds.
    func authenticateAllRowsForTest(_ db: Database) throws {
        for table in RecordTable.allCases {
            for row in try Row.fetchAll(db, sql: "SELECT rowid AS rid, * FROM \(table.rawValue)") {
                try db.execute(sql: "UPDATE \(table.rawValue) SET mac = ? WHERE rowid = ?", arguments: [mac(table, row: row), row["rid"] as Int64])
            }
        }
    }
}
