import Foundation
import GRDB
import KMIP

/// Mounts, API tokens and audit devices.
extension SQLiteStore: SystemStore {
    // MARK: Mounts

    private func mount(_ row: Row) throws -> MountEntry {
        try records.verify(.mounts, row)
        return MountEntry(id: row["id"], path: row["path"], type: row["type"], description: row["description"],
                   accessor: row["accessor"], createdAt: DateTime(secondsSince1970: row["created_at"]))
    }

    public func mounts() async throws -> [MountEntry] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM mounts ORDER BY path").map(self.mount) }
    }

    public func insertMount(_ m: MountEntry) async throws {
        try await write { db in
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM mounts WHERE id = ? OR path = ?"), arguments: [m.id, m.path]) != nil {
                throw StoreError.duplicate("mount \(m.path)")
            }
            try db.cachedStatement(sql: RecordTable.mounts.insertSQL()).execute(arguments: self.records.arguments(.mounts, [
                m.id, m.path, m.type, m.description, m.accessor, m.createdAt.secondsSince1970]))
        }
    }

    public func deleteMount(id: String) async throws {
        defer { objectCache.invalidateAll() }
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM mounts WHERE id = ?").execute(arguments: [id])
            if db.changesCount == 0 { throw StoreError.notFound("mount \(id)") }
            // Children before parents (roles and credentials carry foreign keys); one savepoint, so
            // a failure leaves the mount whole.
            let scopes = "(SELECT id FROM scopes WHERE mount_id = ?)"
            try db.execute(sql: """
                DELETE FROM object_values WHERE scope_id IN \(scopes);
                DELETE FROM object_names WHERE scope_id IN \(scopes);
                DELETE FROM objects WHERE scope_id IN \(scopes);
                DELETE FROM credentials WHERE scope_id IN \(scopes);
                DELETE FROM roles WHERE scope_id IN \(scopes);
                DELETE FROM scopes WHERE mount_id = ?;
                DELETE FROM ca_material WHERE mount_id = ?;
                DELETE FROM ca_material WHERE substr(mount_id, 1, length(?) + 4) = ? || '/ca/';
                DELETE FROM config WHERE mount_id = ?;
                """, arguments: StatementArguments(Array(repeating: id, count: 10)))
        }
    }

    public func mountStore(mountID: String) -> any MountStore { MountView(store: self, mountID: mountID) }

    // MARK: Tokens

    private func token(_ row: Row) throws -> TokenRecord {
        try records.verify(.tokens, row)
        let policies = try JSONDecoder().decode([String].self, from: Data((row["policies"] as String).utf8))
        return TokenRecord(accessor: row["accessor"], tokenHash: Array(row["token_hash"] as Data), policies: policies,
                           displayName: row["display_name"], createdAt: DateTime(secondsSince1970: row["created_at"]),
                           expiresAt: (row["expires_at"] as Int64?).map { DateTime(secondsSince1970: $0) },
                           parentAccessor: row["parent_accessor"])
    }

    public func tokens() async throws -> [TokenRecord] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM tokens ORDER BY created_at, accessor").map(self.token) }
    }
    public func token(hash: [UInt8]) async throws -> TokenRecord? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM tokens WHERE token_hash = ?"), arguments: [Data(hash)]).map(self.token)
        }
    }
    public func token(accessor: String) async throws -> TokenRecord? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM tokens WHERE accessor = ?"), arguments: [accessor]).map(self.token)
        }
    }

    public func insertToken(_ t: TokenRecord) async throws {
        let arguments = try tokenArguments(t)
        try await write { db in try Self.insertToken(db, t, arguments) }
    }

    public func insertFirstToken(_ t: TokenRecord) async throws -> Bool {
        let arguments = try tokenArguments(t)
        // One write transaction: SQLite's write lock makes "none yet, insert" atomic for every
        // connection and process on this file.
        return try await write { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM tokens LIMIT 1")) == nil else { return false }
            try Self.insertToken(db, t, arguments)
            return true
        }
    }

    private func tokenArguments(_ t: TokenRecord) throws -> StatementArguments {
        let policies = String(decoding: try JSONEncoder().encode(t.policies), as: UTF8.self)
        return records.arguments(.tokens, [t.accessor, Data(t.tokenHash), policies, t.displayName, t.createdAt.secondsSince1970,
                                           t.expiresAt?.secondsSince1970, t.parentAccessor])
    }

    private static func insertToken(_ db: Database, _ t: TokenRecord, _ arguments: StatementArguments) throws {
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM tokens WHERE accessor = ? OR token_hash = ?"),
                             arguments: [t.accessor, Data(t.tokenHash)]) != nil {
            throw StoreError.duplicate("token \(t.accessor)")
        }
        try db.cachedStatement(sql: RecordTable.tokens.insertSQL()).execute(arguments: arguments)
    }

    public func deleteToken(accessor: String) async throws {
        try await write { db in
            try db.execute(sql: """
                WITH RECURSIVE doomed(accessor) AS (
                    SELECT accessor FROM tokens WHERE accessor = ?
                    UNION SELECT t.accessor FROM tokens t JOIN doomed d ON t.parent_accessor = d.accessor
                )
                DELETE FROM tokens WHERE accessor IN (SELECT accessor FROM doomed)
                """, arguments: [accessor])
            if db.changesCount == 0 { throw StoreError.notFound("token \(accessor)") }
        }
    }

    // MARK: Policies

    private func policy(_ row: Row) throws -> PolicyRecord {
        try records.verify(.policies, row)
        return PolicyRecord(name: row["name"], text: row["text"])
    }

    public func policies() async throws -> [PolicyRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM policies ORDER BY name").map(self.policy)
        }
    }

    public func policy(name: String) async throws -> PolicyRecord? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM policies WHERE name = ?"), arguments: [name]).map(self.policy)
        }
    }

    public func putPolicy(_ p: PolicyRecord) async throws {
        try await write { db in
            try db.cachedStatement(sql: RecordTable.policies.insertSQL(orReplace: true))
                .execute(arguments: self.records.arguments(.policies, [p.name, p.text]))
        }
    }

    public func createPolicy(_ p: PolicyRecord) async throws -> Bool {
        try await write { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM policies WHERE name = ?"), arguments: [p.name]) == nil else {
                return false
            }
            try db.cachedStatement(sql: RecordTable.policies.insertSQL())
                .execute(arguments: self.records.arguments(.policies, [p.name, p.text]))
            return true
        }
    }

    public func deletePolicy(name: String) async throws {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM policies WHERE name = ?").execute(arguments: [name])
            if db.changesCount == 0 { throw StoreError.notFound("policy \(name)") }
        }
    }

    // MARK: Audit devices

    private func auditDevice(_ row: Row) throws -> AuditDeviceRecord {
        try records.verify(.auditDevices, row)
        let options = try JSONDecoder().decode([String: String].self, from: Data((row["options"] as String).utf8))
        return AuditDeviceRecord(path: row["path"], type: row["type"], description: row["description"], options: options)
    }

    public func auditDevices() async throws -> [AuditDeviceRecord] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM audit_devices ORDER BY path").map(self.auditDevice) }
    }

    public func insertAuditDevice(_ d: AuditDeviceRecord) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let options = String(decoding: try encoder.encode(d.options), as: UTF8.self)
        try await write { db in
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM audit_devices WHERE path = ?"), arguments: [d.path]) != nil {
                throw StoreError.duplicate("audit device \(d.path)")
            }
            try db.cachedStatement(sql: RecordTable.auditDevices.insertSQL())
                .execute(arguments: self.records.arguments(.auditDevices, [d.path, d.type, d.description, options]))
        }
    }

    public func deleteAuditDevice(path: String) async throws {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM audit_devices WHERE path = ?").execute(arguments: [path])
            if db.changesCount == 0 { throw StoreError.notFound("audit device \(path)") }
        }
    }
}
