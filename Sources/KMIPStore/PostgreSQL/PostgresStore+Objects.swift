import Foundation
import KMIP
import PostgresNIO

extension PostgresStore {
    /// A record ready for its row: key material sealed, values and MAC computed, index entries derived.
    struct SealedObject: Sendable {
        var record: ManagedObjectRecord
        /// `RecordTable.objects.columns`, then the MAC.
        var row: [RecordValue]
        var index: [ObjectIndex.Entry]
    }

    func seal(_ r: ManagedObjectRecord) throws -> SealedObject {
        let key = try r.keyMaterial.map {
            try keyring.seal($0.bytes, aad: Keyring.objectAAD(scopeID: r.scopeID, uniqueIdentifier: r.uniqueIdentifier))
        }
        let int = { (n: Int64?) in n.map(RecordValue.integer) ?? .null }
        let values: [RecordValue] = [
            .text(r.scopeID), .text(r.uniqueIdentifier), .integer(Int64(r.objectType.rawValue)), .integer(Int64(r.state.rawValue)),
            int(r.cryptographicAlgorithm.map { Int64($0.rawValue) }), int(r.cryptographicLength.map(Int64.init)),
            .integer(r.initialDate.secondsSince1970), int(r.activationDate?.secondsSince1970),
            int(r.deactivationDate?.secondsSince1970), int(r.destroyDate?.secondsSince1970),
            r.objectGroup.map(RecordValue.text) ?? .null, .blob(AttributeBlob.encode(r.attributes)),
            key.map(RecordValue.blob) ?? .null, int(ObjectIndex.usageMask(r.attributes).map { Int64($0) }),
            .integer(r.archived ? 1 : 0)]
        return SealedObject(record: r, row: records.row(.objects, values), index: ObjectIndex.entries(r.attributes, indexedOnly: true))
    }

    /// Inserts the Names and value-index rows of the object whose `seq` the statement's `o` CTE
    /// yields, as two more CTEs: one round trip for all of them (``rewrite(_:seq:_:)``).
    private static func indexCTEs(_ s: inout PostgresStatement, _ sealed: SealedObject) -> String {
        let r = sealed.record
        let scope = s.bind(.text(r.scopeID)), date = s.bind(.integer(r.initialDate.secondsSince1970))
        let names = s.bind(r.names)
        let entryNames = s.bind(sealed.index.map(\.name))
        let entryValues = s.bind(sealed.index.map { ByteBuffer(bytes: $0.value) })
        let numbers = s.bind(sealed.index.map { $0.number ?? 0 }), hasNumber = s.bind(sealed.index.map { $0.number != nil })
        return """
            n AS (INSERT INTO object_names (object_seq, position, scope_id, name, initial_date)
                  SELECT o.seq, x.ord, \(scope), x.name, \(date) FROM o, unnest(\(names)::text[]) WITH ORDINALITY AS x(name, ord)
                  ON CONFLICT DO NOTHING),
            v AS (INSERT INTO object_values (object_seq, scope_id, name, value, number)
                  SELECT o.seq, \(scope), x.name, x.value, CASE WHEN x.has THEN x.number END
                  FROM o, unnest(\(entryNames)::text[], \(entryValues)::bytea[], \(numbers)::int8[], \(hasNumber)::bool[])
                      AS x(name, value, number, has)
                  ON CONFLICT DO NOTHING)
            """
    }

    /// Rewrites an existing row (every column but its identity), then its Names and index entries.
    private func rewrite(_ c: PostgresConnection, seq: Int64, _ sealed: SealedObject) async throws {
        let content = RecordTable.objects.columns.dropFirst(2) + ["mac"]
        var update = PostgresStatement()
        let sets = zip(content, sealed.row.dropFirst(2)).map { "\($0) = \(update.bind($1))" }
        update.append("UPDATE objects SET \(sets.joined(separator: ", ")) WHERE seq = \(update.bind(.integer(seq)))")
        try await c.run(update.query, logger: logger)
        try await c.run(PostgresStatement("DELETE FROM object_names WHERE object_seq = ?", [.integer(seq)]).query, logger: logger)
        try await c.run(PostgresStatement("DELETE FROM object_values WHERE object_seq = ?", [.integer(seq)]).query, logger: logger)
        var index = PostgresStatement()
        let source = index.bind(.integer(seq))
        let ctes = Self.indexCTEs(&index, sealed)
        index.append("WITH o AS (SELECT \(source)::int8 AS seq), \(ctes) SELECT 1")
        try await c.run(index.query, logger: logger)
    }

    public func insert(_ object: ManagedObjectRecord) async throws {
        let row = try Self.batchRow(try seal(object))
        guard try await timed({ [inserts] in try await inserts.insert(row) }) else {
            throw StoreError.duplicate("object \(object.uniqueIdentifier)")
        }
    }

    /// The sealed row as the group commit's batch statement reads it: the very values its MAC covers.
    static func batchRow(_ sealed: SealedObject) throws -> PostgresInsertBatcher.Row {
        let v = PostgresValues(values: sealed.row)
        let base64 = { (i: Int) throws -> String? in try v.optionalBlob(i).map { Data($0).base64EncodedString() } }
        return PostgresInsertBatcher.Row(
            scope_id: try v.text(0), uid: try v.text(1), object_type: try v.int(2), state: try v.int(3),
            algorithm: try v.optionalInt(4), length: try v.optionalInt(5), initial_date: try v.int(6),
            activation_date: try v.optionalInt(7), deactivation_date: try v.optionalInt(8), destroy_date: try v.optionalInt(9),
            object_group: try v.optionalText(10), attributes: try base64(11) ?? "", key_material: try base64(12),
            usage_mask: try v.optionalInt(13), archived: try v.int(14), mac: try base64(15) ?? "",
            names: sealed.record.names,
            entries: sealed.index.map { .init(n: $0.name, v: Data($0.value).base64EncodedString(), x: $0.number) })
    }

    /// Transactions the Create group commit has committed so far.
    public var insertCommitCount: Int { get async { await inserts.commits } }

    /// One object row: `seq`, the MAC-covered columns, `mac`, then its Names in order.
    static func objectSelect(lock: Bool) -> String {
        """
        SELECT seq, \(RecordTable.objects.postgresSelectList),
               ARRAY(SELECT name FROM object_names WHERE object_seq = o.seq ORDER BY position)
        FROM objects o WHERE uid = ? AND scope_id = ?\(lock ? " FOR UPDATE" : "")
        """
    }

    /// A row of ``objectSelect(lock:)``, verified and opened: its `seq` and the record.
    private func objectRecord(_ row: PostgresRow) throws -> (seq: Int64, record: ManagedObjectRecord) {
        let cells = row.makeRandomAccess()
        let count = RecordTable.objects.columns.count + 2
        let v = PostgresValues(values: try (0..<count).map { try RecordValue(cells[$0]) })
        let names = try cells[count].decode([String].self)
        try records.verify(.objects, v, leading: 1)
        // 1 scope_id, 2 uid, 3 object_type, 4 state, 5 algorithm, 6 length, 7 initial_date, 8 activation_date,
        // 9 deactivation_date, 10 destroy_date, 11 object_group, 12 attributes, 13 key_material, 14 usage_mask, 15 archived
        let date = { (i: Int) throws -> DateTime? in try v.optionalInt(i).map { DateTime(secondsSince1970: $0) } }
        let scopeID = try v.text(1), uid = try v.text(2)
        var record = ManagedObjectRecord(
            scopeID: scopeID, uniqueIdentifier: uid,
            objectType: ObjectType(rawValue: UInt32(truncatingIfNeeded: try v.int(3))),
            state: State(rawValue: UInt32(truncatingIfNeeded: try v.int(4))),
            cryptographicAlgorithm: try v.optionalInt(5).map { CryptographicAlgorithm(rawValue: UInt32(truncatingIfNeeded: $0)) },
            cryptographicLength: try v.optionalInt(6).map { Int32(truncatingIfNeeded: $0) },
            initialDate: DateTime(secondsSince1970: try v.int(7)),
            activationDate: try date(8), deactivationDate: try date(9), destroyDate: try date(10),
            objectGroup: try v.optionalText(11), names: names, attributes: try AttributeBlob.decode(try v.blob(12)))
        record.archived = try v.int(15) != 0
        if let sealed = try v.optionalBlob(13) {
            record.keyMaterial = StoredSecret(try keyring.open(sealed, aad: Keyring.objectAAD(scopeID: scopeID, uniqueIdentifier: uid)))
        }
        return (try v.int(0), record)
    }

    public func object(scopeID: String, uniqueIdentifier: String) async throws -> ManagedObjectRecord? {
        let statement = PostgresStatement(Self.objectSelect(lock: false), [.text(uniqueIdentifier), .text(scopeID)])
        return try await timed { [client, logger] in
            try await client.withConnection { c in
                try await c.run(statement.query, logger: logger).first.map { try self.objectRecord($0).record }
            }
        }
    }

    public func modify<T: Sendable>(scopeID: String, uniqueIdentifier: String, inserting: ManagedObjectRecord?,
                                    _ change: @escaping @Sendable (inout ManagedObjectRecord) throws -> T) async throws -> (ManagedObjectRecord, T) {
        // Re-key's new object: the Create batch statement, here inside this transaction.
        let inserted = try inserting.map { PostgresInsertBatcher.statement([try Self.batchRow(try seal($0)).json()]) }
        let select = PostgresStatement(Self.objectSelect(lock: true), [.text(uniqueIdentifier), .text(scopeID)])
        return try await transaction { c in
            // FOR UPDATE: a concurrent change to this object, on any node, waits for this one to commit.
            guard let row = try await c.run(select.query, logger: self.logger).first else {
                throw StoreError.notFound("object \(uniqueIdentifier)")
            }
            let (seq, read) = try self.objectRecord(row)
            var record = read
            let result = try change(&record)
            guard record.uniqueIdentifier == uniqueIdentifier, record.scopeID == scopeID else {
                throw StoreError(.generalFailure, "a change may not move an object to another identifier or scope")
            }
            try await self.rewrite(c, seq: seq, try self.seal(record))
            if let inserted, try await c.run(inserted.query, logger: self.logger).isEmpty {
                throw StoreError.duplicate("object \(inserting!.uniqueIdentifier)")
            }
            return (record, result)
        }
    }

    public func update(_ object: ManagedObjectRecord) async throws {
        let sealed = try seal(object)
        let find = PostgresStatement("SELECT seq FROM objects WHERE uid = ? AND scope_id = ? FOR UPDATE",
                                     [.text(object.uniqueIdentifier), .text(object.scopeID)])
        try await transaction { c in
            guard let row = try await c.run(find.query, logger: self.logger).first else {
                throw StoreError.notFound("object \(object.uniqueIdentifier)")
            }
            try await self.rewrite(c, seq: try PostgresValues(row).int(0), sealed)
        }
    }

    public func delete(scopeID: String, uniqueIdentifier: String) async throws {
        let rows = try await rows(PostgresStatement("DELETE FROM objects WHERE uid = ? AND scope_id = ? RETURNING seq",
                                                    [.text(uniqueIdentifier), .text(scopeID)]))
        if rows.isEmpty { throw StoreError.notFound("object \(uniqueIdentifier)") }
    }

    public func locate(scopeID: String, _ q: ObjectQuery) async throws -> [String] {
        if q.selectsNothing { return [] }
        if let filtered = try await postFiltered(scopeID: scopeID, q) {
            return Array(filtered.dropFirst(max(0, q.offset)).prefix(q.maximumItems.map { max(0, $0) } ?? Int.max))
        }
        return try await rows(Self.locateStatement(scopeID: scopeID, q, counting: false)).map { try $0.text(0) }
    }

    public func count(scopeID: String, _ q: ObjectQuery) async throws -> Int {
        if q.selectsNothing { return 0 }
        if let filtered = try await postFiltered(scopeID: scopeID, q) { return filtered.count }
        return Int(try await rows(Self.locateStatement(scopeID: scopeID, q, counting: true)).first?.int(0) ?? 0)
    }

    /// The Locate query (``LocateSQL``) as a PostgreSQL statement; no maximum is `LIMIT NULL`.
    static func locateStatement(scopeID: String, _ q: ObjectQuery, counting: Bool, withAttributes: Bool = false) -> PostgresStatement {
        let (sql, values) = LocateSQL.build(scopeID: scopeID, q, counting: counting, withAttributes: withAttributes, noMaximum: .null)
        return PostgresStatement(sql, values)
    }

    /// As ``SQLiteStore``: queries naming unindexed attributes are checked on the decoded
    /// attributes of every candidate the indexed conditions leave, newest first.
    private func postFiltered(scopeID: String, _ q: ObjectQuery) async throws -> [String]? {
        guard let (indexed, unindexed) = q.unindexedSplit else { return nil }
        return try await rows(Self.locateStatement(scopeID: scopeID, indexed, counting: false, withAttributes: true)).compactMap { row in
            let entries = ObjectIndex.entries(try AttributeBlob.decode(try row.blob(1)))
            return unindexed.allSatisfy { $0.matches(entries) } ? try row.text(0) : nil
        }
    }
}
