import Foundation
import GRDB
import KMIP

extension SQLiteStore {
    private struct SealedObject: Sendable {
        var record: ManagedObjectRecord
        var attributes: Data
        var keyMaterial: Data?
    }

    private func seal(_ r: ManagedObjectRecord) throws -> SealedObject {
        var stripped = r
        stripped.keyMaterial = nil
        let key = try r.keyMaterial.map {
            Data(try keyring.seal($0.bytes, aad: Keyring.objectAAD(scopeID: r.scopeID, uniqueIdentifier: r.uniqueIdentifier)))
        }
        return SealedObject(record: stripped, attributes: Data(AttributeBlob.encode(r.attributes)), keyMaterial: key)
    }

    private static func columns(_ s: SealedObject) -> StatementArguments {
        let r = s.record
        return [r.objectType.rawValue, r.state.rawValue, r.cryptographicAlgorithm?.rawValue, r.cryptographicLength,
                r.initialDate.secondsSince1970, r.activationDate?.secondsSince1970, r.deactivationDate?.secondsSince1970,
                r.destroyDate?.secondsSince1970, r.objectGroup, s.attributes, s.keyMaterial,
                r.uniqueIdentifier, r.scopeID]
    }

    private static func writeNames(_ db: Database, seq: Int64, _ r: ManagedObjectRecord) throws {
        try db.execute(sql: "DELETE FROM object_names WHERE object_seq = ?", arguments: [seq])
        for name in r.names {
            try db.execute(sql: """
                INSERT OR IGNORE INTO object_names (object_seq, scope_id, name, initial_date) VALUES (?, ?, ?, ?)
                """, arguments: [seq, r.scopeID, name, r.initialDate.secondsSince1970])
        }
    }

    public func insert(_ object: ManagedObjectRecord) async throws {
        let sealed = try seal(object)
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM objects WHERE uid = ?", arguments: [object.uniqueIdentifier]) != nil {
                throw StoreError.duplicate("object \(object.uniqueIdentifier)")
            }
            try db.execute(sql: """
                INSERT INTO objects (object_type, state, algorithm, length, initial_date, activation_date,
                    deactivation_date, destroy_date, object_group, attributes, key_material, uid, scope_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: Self.columns(sealed))
            try Self.writeNames(db, seq: db.lastInsertedRowID, object)
        }
    }

    public func update(_ object: ManagedObjectRecord) async throws {
        let sealed = try seal(object)
        try await write { db in
            guard let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM objects WHERE uid = ? AND scope_id = ?",
                                               arguments: [object.uniqueIdentifier, object.scopeID]) else {
                throw StoreError.notFound("object \(object.uniqueIdentifier)")
            }
            try db.execute(sql: """
                UPDATE objects SET object_type = ?, state = ?, algorithm = ?, length = ?, initial_date = ?,
                    activation_date = ?, deactivation_date = ?, destroy_date = ?, object_group = ?, attributes = ?,
                    key_material = ?
                WHERE uid = ? AND scope_id = ?
                """, arguments: Self.columns(sealed))
            try Self.writeNames(db, seq: seq, object)
        }
    }

    public func delete(scopeID: String, uniqueIdentifier: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM objects WHERE uid = ? AND scope_id = ?", arguments: [uniqueIdentifier, scopeID])
            if db.changesCount == 0 { throw StoreError.notFound("object \(uniqueIdentifier)") }
        }
    }

    public func object(scopeID: String, uniqueIdentifier: String) async throws -> ManagedObjectRecord? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM objects WHERE uid = ? AND scope_id = ?",
                                             arguments: [uniqueIdentifier, scopeID]) else { return nil }
            let names = try String.fetchAll(db, sql: "SELECT name FROM object_names WHERE object_seq = ? ORDER BY rowid",
                                            arguments: [row["seq"] as Int64])
            return try self.record(row, names: names)
        }
    }

    private func record(_ row: Row, names: [String]) throws -> ManagedObjectRecord {
        let scopeID: String = row["scope_id"]
        let uid: String = row["uid"]
        let date = { (column: String) -> DateTime? in (row[column] as Int64?).map { DateTime(secondsSince1970: $0) } }
        let key = try (row["key_material"] as Data?).map {
            StoredSecret(try keyring.open(Array($0), aad: Keyring.objectAAD(scopeID: scopeID, uniqueIdentifier: uid)))
        }
        return ManagedObjectRecord(
            scopeID: scopeID, uniqueIdentifier: uid,
            objectType: ObjectType(rawValue: row["object_type"]), state: State(rawValue: row["state"]),
            cryptographicAlgorithm: (row["algorithm"] as UInt32?).map { CryptographicAlgorithm(rawValue: $0) },
            cryptographicLength: row["length"],
            initialDate: DateTime(secondsSince1970: row["initial_date"]),
            activationDate: date("activation_date"), deactivationDate: date("deactivation_date"),
            destroyDate: date("destroy_date"), objectGroup: row["object_group"], names: names,
            attributes: try AttributeBlob.decode(Array(row["attributes"] as Data)), keyMaterial: key)
    }

    public func locate(scopeID: String, _ q: ObjectQuery) async throws -> [String] {
        var filters = ""
        var values: [DatabaseValue] = []
        let conditions: [(String, DatabaseValue?)] = [
            ("o.object_type = ?", q.objectType.map { Int64($0.rawValue).databaseValue }),
            ("o.state = ?", q.state.map { Int64($0.rawValue).databaseValue }),
            ("o.algorithm = ?", q.cryptographicAlgorithm.map { Int64($0.rawValue).databaseValue }),
            ("o.length = ?", q.cryptographicLength.map { Int64($0).databaseValue }),
            ("o.object_group = ?", q.objectGroup.map { $0.databaseValue }),
            ("o.initial_date >= ?", q.initialDateFrom.map { $0.secondsSince1970.databaseValue }),
            ("o.initial_date <= ?", q.initialDateTo.map { $0.secondsSince1970.databaseValue }),
        ]
        for case let (clause, value?) in conditions {
            filters += " AND " + clause
            values.append(value)
        }
        let sql: String
        var head: [DatabaseValue] = [scopeID.databaseValue]
        if let name = q.name {
            head.append(name.databaseValue)
            sql = """
                SELECT o.uid FROM object_names n JOIN objects o ON o.seq = n.object_seq
                WHERE n.scope_id = ? AND n.name = ?\(filters)
                ORDER BY n.initial_date DESC, n.object_seq DESC LIMIT ? OFFSET ?
                """
        } else {
            sql = """
                SELECT o.uid FROM objects o WHERE o.scope_id = ?\(filters)
                ORDER BY o.initial_date DESC, o.seq DESC LIMIT ? OFFSET ?
                """
        }
        let tail: [DatabaseValue] = [(q.maximumItems.map { max(0, $0) } ?? -1).databaseValue, max(0, q.offset).databaseValue]
        let arguments = StatementArguments(head + values + tail)
        return try await read { db in try String.fetchAll(db, sql: sql, arguments: arguments) }
    }
}
