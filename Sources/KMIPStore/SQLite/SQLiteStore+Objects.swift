import Foundation
import GRDB
import KMIP

extension SQLiteStore {
    /// A record ready for its row: key material sealed, values, MAC and index entries computed
    /// before the write is queued (the group-commit writer is serial; only SQL runs on it).
    private struct SealedObject: Sendable {
        var record: ManagedObjectRecord
        /// The values in `RecordTable.objects.columns` order, then the row's MAC.
        var row: [DatabaseValue]
        var index: [ObjectIndex.Entry]
    }

    private func seal(_ r: ManagedObjectRecord) throws -> SealedObject {
        let key = try r.keyMaterial.map {
            Data(try keyring.seal($0.bytes, aad: Keyring.objectAAD(scopeID: r.scopeID, uniqueIdentifier: r.uniqueIdentifier)))
        }
        let values: [(any DatabaseValueConvertible)?] = [
            r.scopeID, r.uniqueIdentifier, r.objectType.rawValue, r.state.rawValue, r.cryptographicAlgorithm?.rawValue,
            r.cryptographicLength, r.initialDate.secondsSince1970, r.activationDate?.secondsSince1970,
            r.deactivationDate?.secondsSince1970, r.destroyDate?.secondsSince1970, r.objectGroup,
            Data(AttributeBlob.encode(r.attributes)), key, ObjectIndex.usageMask(r.attributes).map { Int64($0) }, r.archived]
        let row = values.map { $0?.databaseValue ?? .null }
        return SealedObject(record: r, row: row + [records.mac(.objects, row).databaseValue],
                            index: ObjectIndex.entries(r.attributes, indexedOnly: true))
    }

    /// Rewrites every column but the identity (scope id, Unique Identifier), and the MAC.
    private static let updateSQL: String = {
        let content = RecordTable.objects.columns.dropFirst(2)
        return "UPDATE objects SET \(content.map { "\($0) = ?" }.joined(separator: ", ")), mac = ? WHERE scope_id = ? AND uid = ?"
    }()

    private func writeUpdate(_ db: Database, _ s: SealedObject) throws {
        try db.cachedStatement(sql: Self.updateSQL)
            .execute(arguments: StatementArguments(Array(s.row.dropFirst(2)) + [s.row[0], s.row[1]]))
    }

    /// Writes the object's Names (after deleting the old ones of an existing row).
    private static func writeNames(_ db: Database, seq: Int64, _ r: ManagedObjectRecord, replacing: Bool) throws {
        if replacing { try db.cachedStatement(sql: "DELETE FROM object_names WHERE object_seq = ?").execute(arguments: [seq]) }
        for name in r.names {
            try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO object_names (object_seq, scope_id, name, initial_date) VALUES (?, ?, ?, ?)
                """).execute(arguments: [seq, r.scopeID, name, r.initialDate.secondsSince1970])
        }
    }

    /// Rewrites the object's value index (every attribute instance without a column of its own).
    static func writeIndex(_ db: Database, seq: Int64, scopeID: String, attributes: [Attribute]) throws {
        try writeIndex(db, seq: seq, scopeID: scopeID, entries: ObjectIndex.entries(attributes, indexedOnly: true), replacing: true)
    }

    private static func writeIndex(_ db: Database, seq: Int64, scopeID: String, entries: [ObjectIndex.Entry], replacing: Bool) throws {
        if replacing { try db.cachedStatement(sql: "DELETE FROM object_values WHERE object_seq = ?").execute(arguments: [seq]) }
        for entry in entries {
            try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO object_values (object_seq, scope_id, name, value, number) VALUES (?, ?, ?, ?, ?)
                """).execute(arguments: [seq, scopeID, entry.name, Data(entry.value), entry.number])
        }
    }

    private static func write(_ db: Database, seq: Int64, _ s: SealedObject, replacing: Bool) throws {
        try writeNames(db, seq: seq, s.record, replacing: replacing)
        try writeIndex(db, seq: seq, scopeID: s.record.scopeID, entries: s.index, replacing: replacing)
    }

    public func insert(_ object: ManagedObjectRecord) async throws {
        let sealed = try seal(object)
        try await write { db in try Self.insertRow(db, sealed) }
    }

    private static func insertRow(_ db: Database, _ sealed: SealedObject) throws {
        let r = sealed.record
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM objects WHERE uid = ? AND scope_id = ?"),
                             arguments: [r.uniqueIdentifier, r.scopeID]) != nil {
            throw StoreError.duplicate("object \(r.uniqueIdentifier)")
        }
        try db.cachedStatement(sql: RecordTable.objects.insertSQL()).execute(arguments: StatementArguments(sealed.row))
        try write(db, seq: db.lastInsertedRowID, sealed, replacing: false)
    }

    public func modify<T: Sendable>(scopeID: String, uniqueIdentifier: String, inserting: ManagedObjectRecord?,
                                    _ change: @escaping @Sendable (inout ManagedObjectRecord) throws -> T) async throws -> (ManagedObjectRecord, T) {
        let inserted = try inserting.map { try seal($0) }
        return try await writing(ObjectCache.Key(scopeID: scopeID, uniqueIdentifier: uniqueIdentifier)) { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: Self.objectByIdentifierSQL),
                                             arguments: [uniqueIdentifier, scopeID]) else {
                throw StoreError.notFound("object \(uniqueIdentifier)")
            }
            let seq: Int64 = row[0]
            let names = try String.fetchAll(db.cachedStatement(sql: "SELECT name FROM object_names WHERE object_seq = ? ORDER BY rowid"),
                                            arguments: [seq])
            var record = try self.record(row, names: names)
            let result = try change(&record)
            guard record.uniqueIdentifier == uniqueIdentifier, record.scopeID == scopeID else {
                throw StoreError(.generalFailure, "a change may not move an object to another identifier or scope")
            }
            let sealed = try self.seal(record)
            try self.writeUpdate(db, sealed)
            try Self.write(db, seq: seq, sealed, replacing: true)
            if let inserted { try Self.insertRow(db, inserted) }
            return (record, result)
        }
    }

    public func update(_ object: ManagedObjectRecord) async throws {
        let sealed = try seal(object)
        try await writing(ObjectCache.Key(scopeID: object.scopeID, uniqueIdentifier: object.uniqueIdentifier)) { db in
            guard let seq = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM objects WHERE uid = ? AND scope_id = ?"), arguments: [object.uniqueIdentifier, object.scopeID]) else {
                throw StoreError.notFound("object \(object.uniqueIdentifier)")
            }
            try self.writeUpdate(db, sealed)
            try Self.write(db, seq: seq, sealed, replacing: true)
        }
    }

    public func delete(scopeID: String, uniqueIdentifier: String) async throws {
        try await writing(ObjectCache.Key(scopeID: scopeID, uniqueIdentifier: uniqueIdentifier)) { db in
            try db.cachedStatement(sql: "DELETE FROM objects WHERE uid = ? AND scope_id = ?").execute(arguments: [uniqueIdentifier, scopeID])
            if db.changesCount == 0 { throw StoreError.notFound("object \(uniqueIdentifier)") }
        }
    }

    public func object(scopeID: String, uniqueIdentifier: String) async throws -> ManagedObjectRecord? {
        let key = ObjectCache.Key(scopeID: scopeID, uniqueIdentifier: uniqueIdentifier)
        if let hit = objectCache.entry(key) { return try opened(hit) }
        let generation = objectCache.generation
        let read = try await pointRead { db -> ObjectCache.Entry? in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: Self.objectByIdentifierSQL), arguments: [uniqueIdentifier, scopeID]) else { return nil }
            let names = try String.fetchAll(db.cachedStatement(sql: "SELECT name FROM object_names WHERE object_seq = ? ORDER BY rowid"), arguments: [row[0] as Int64])
            return try self.verifiedEntry(row, names: names)
        }
        guard let read else { return nil }
        objectCache.store(read, for: key, readAt: generation)
        return try opened(read)
    }

    /// Runs a write that changes the object `key` and drops its cached entry once the write has
    /// returned, whether or not it succeeded (a failed commit may still have reached the file).
    private func writing<T: Sendable>(_ key: ObjectCache.Key, _ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        defer { objectCache.invalidate(key) }
        return try await write(work)
    }

    /// One object row: `seq`, then the MAC-covered columns in `RecordTable.objects` order, then
    /// `mac`; ``verifiedEntry(_:names:)`` reads it by position.
    static let objectByIdentifierSQL = "SELECT \(RecordTable.objects.selectList(leading: ["seq"])) FROM objects WHERE uid = ? AND scope_id = ?"

    /// A row of ``objectByIdentifierSQL``, verified and opened.
    private func record(_ row: Row, names: [String]) throws -> ManagedObjectRecord {
        try opened(verifiedEntry(row, names: names))
    }

    /// The record with its key material opened by the keyring (AAD: scope id and identifier).
    private func opened(_ entry: ObjectCache.Entry) throws -> ManagedObjectRecord {
        guard let sealed = entry.sealedKey else { return entry.record }
        var record = entry.record
        record.keyMaterial = StoredSecret(try keyring.open(sealed, aad: Keyring.objectAAD(scopeID: record.scopeID, uniqueIdentifier: record.uniqueIdentifier)))
        return record
    }

    /// A row of ``objectByIdentifierSQL``, its MAC verified, its key material left sealed.
    /// Positions follow `RecordTable.objects.columns`.
    private func verifiedEntry(_ row: Row, names: [String]) throws -> ObjectCache.Entry {
        try records.verify(.objects, positional: row, leading: 1)
        // 1 scope_id, 2 uid, 3 object_type, 4 state, 5 algorithm, 6 length, 7 initial_date, 8 activation_date,
        // 9 deactivation_date, 10 destroy_date, 11 object_group, 12 attributes, 13 key_material, 14 usage_mask, 15 archived
        let date = { (column: Int) -> DateTime? in (row[column] as Int64?).map { DateTime(secondsSince1970: $0) } }
        let blob = Array(row[12] as Data)
        var record = ManagedObjectRecord(
            scopeID: row[1], uniqueIdentifier: row[2],
            objectType: ObjectType(rawValue: row[3]), state: State(rawValue: row[4]),
            cryptographicAlgorithm: (row[5] as UInt32?).map { CryptographicAlgorithm(rawValue: $0) },
            cryptographicLength: row[6],
            initialDate: DateTime(secondsSince1970: row[7]),
            activationDate: date(8), deactivationDate: date(9),
            destroyDate: date(10), objectGroup: row[11], names: names,
            attributes: try AttributeBlob.decode(blob))
        record.archived = row[15]
        let sealedKey = (row[13] as Data?).map { Array($0) }
        // Decoded attributes take a few times their encoded size; 512 for the record itself.
        let cost = 512 + 4 * blob.count + (sealedKey?.count ?? 0) + names.reduce(0) { $0 + 32 + $1.utf8.count }
        return ObjectCache.Entry(record: record, sealedKey: sealedKey, cost: cost)
    }

    public func locate(scopeID: String, _ q: ObjectQuery) async throws -> [String] {
        if q.selectsNothing { return [] }
        if let filtered = try await postFiltered(scopeID: scopeID, q) {
            return Array(filtered.dropFirst(max(0, q.offset)).prefix(q.maximumItems.map { max(0, $0) } ?? Int.max))
        }
        let (sql, arguments) = Self.locateSQL(scopeID: scopeID, q, counting: false)
        return try await read { db in try String.fetchAll(db.cachedStatement(sql: sql), arguments: arguments) }
    }

    /// Queries naming unindexed attributes (`ObjectIndex.unindexedAttributes`): every candidate the
    /// indexed conditions leave, newest first, checked on its decoded attributes. nil when the
    /// query names none.
    private func postFiltered(scopeID: String, _ q: ObjectQuery) async throws -> [String]? {
        guard let (indexed, unindexed) = q.unindexedSplit else { return nil }
        let (sql, arguments) = Self.locateSQL(scopeID: scopeID, indexed, counting: false, withAttributes: true)
        return try await read { db in
            var matched: [String] = []
            let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
            while let row = try rows.next() {
                let entries = ObjectIndex.entries(try AttributeBlob.decode(Array(row["attributes"] as Data)))
                if unindexed.allSatisfy({ $0.matches(entries) }) { matched.append(row["uid"]) }
            }
            return matched
        }
    }

    public func count(scopeID: String, _ q: ObjectQuery) async throws -> Int {
        if q.selectsNothing { return 0 }
        if let filtered = try await postFiltered(scopeID: scopeID, q) { return filtered.count }
        let (sql, arguments) = Self.locateSQL(scopeID: scopeID, q, counting: true)
        return try await read { db in try Int.fetchOne(db.cachedStatement(sql: sql), arguments: arguments) ?? 0 }
    }

    /// The Locate query (``LocateSQL``) with SQLite's arguments; no maximum is `LIMIT -1`.
    static func locateSQL(scopeID: String, _ q: ObjectQuery, counting: Bool,
                          withAttributes: Bool = false) -> (String, StatementArguments) {
        let (sql, values) = LocateSQL.build(scopeID: scopeID, q, counting: counting, withAttributes: withAttributes,
                                            noMaximum: .integer(-1))
        return (sql, StatementArguments(values.map(\.databaseValue)))
    }
}
