import Foundation
import KMIP
import PostgresNIO

/// Mounts, API tokens, ACL policies and audit devices, as ``SQLiteStore``'s. Text is ordered
/// byte-wise (`COLLATE "C"`), whatever the database's locale, so every node and store lists alike.
extension PostgresStore: SystemStore {
    // MARK: Mounts

    private func mount(_ row: PostgresValues) throws -> MountEntry {
        try records.verify(.mounts, row)
        return MountEntry(id: try row.text(0), path: try row.text(1), type: try row.text(2), description: try row.text(3),
                          accessor: try row.text(4), createdAt: DateTime(secondsSince1970: try row.int(5)))
    }

    public func mounts() async throws -> [MountEntry] {
        try await rows(PostgresStatement("SELECT \(RecordTable.mounts.postgresSelectList) FROM mounts ORDER BY path COLLATE \"C\""))
            .map(mount)
    }

    public func insertMount(_ m: MountEntry) async throws {
        let insert = PostgresStatement(RecordTable.mounts.postgresInsertSQL + " ON CONFLICT DO NOTHING RETURNING id", records.row(.mounts, [
            .text(m.id), .text(m.path), .text(m.type), .text(m.description), .text(m.accessor), .integer(m.createdAt.secondsSince1970)]))
        if try await rows(insert).isEmpty { throw StoreError.duplicate("mount \(m.path)") }
    }

    public func deleteMount(id: String) async throws {
        try await transaction { c in
            guard try await !self.rows(c, PostgresStatement("DELETE FROM mounts WHERE id = ? RETURNING id", [.text(id)])).isEmpty else {
                throw StoreError.notFound("mount \(id)")
            }
            let scopes = "(SELECT id FROM scopes WHERE mount_id = ?)"
            for table in ["object_values", "object_names", "objects", "credentials", "roles"] {
                try await c.run(PostgresStatement("DELETE FROM \(table) WHERE scope_id IN \(scopes)", [.text(id)]).query, logger: self.logger)
            }
            for table in ["scopes", "ca_material", "config"] {
                try await c.run(PostgresStatement("DELETE FROM \(table) WHERE mount_id = ?", [.text(id)]).query, logger: self.logger)
            }
            // Named CAs' material (`MountView.authorityKey`).
            try await c.run(PostgresStatement("DELETE FROM ca_material WHERE substr(mount_id, 1, length(?) + 4) = ? || '/ca/'",
                                              [.text(id), .text(id)]).query, logger: self.logger)
        }
    }

    public func mountStore(mountID: String) -> any MountStore { MountView(store: self, mountID: mountID) }

    // MARK: Tokens

    private static let tokenSelect = "SELECT \(RecordTable.tokens.postgresSelectList) FROM tokens"

    private func token(_ row: PostgresValues) throws -> TokenRecord {
        try records.verify(.tokens, row)
        let policies = try JSONDecoder().decode([String].self, from: Data(try row.text(2).utf8))
        return TokenRecord(accessor: try row.text(0), tokenHash: try row.blob(1), policies: policies,
                           displayName: try row.text(3), createdAt: DateTime(secondsSince1970: try row.int(4)),
                           expiresAt: try row.optionalInt(5).map { DateTime(secondsSince1970: $0) },
                           parentAccessor: try row.optionalText(6))
    }

    public func tokens() async throws -> [TokenRecord] {
        try await rows(PostgresStatement(Self.tokenSelect + " ORDER BY created_at, accessor COLLATE \"C\"")).map(token)
    }
    public func token(hash: [UInt8]) async throws -> TokenRecord? {
        try await rows(PostgresStatement(Self.tokenSelect + " WHERE token_hash = ?", [.blob(hash)])).first.map(token)
    }
    public func token(accessor: String) async throws -> TokenRecord? {
        try await rows(PostgresStatement(Self.tokenSelect + " WHERE accessor = ?", [.text(accessor)])).first.map(token)
    }

    private func tokenInsert(_ t: TokenRecord) throws -> PostgresStatement {
        let policies = String(decoding: try JSONEncoder().encode(t.policies), as: UTF8.self)
        return PostgresStatement(RecordTable.tokens.postgresInsertSQL + " ON CONFLICT DO NOTHING RETURNING accessor",
                                 records.row(.tokens, [
                                    .text(t.accessor), .blob(t.tokenHash), .text(policies), .text(t.displayName),
                                    .integer(t.createdAt.secondsSince1970), t.expiresAt.map { .integer($0.secondsSince1970) } ?? .null,
                                    t.parentAccessor.map(RecordValue.text) ?? .null]))
    }

    public func insertToken(_ t: TokenRecord) async throws {
        if try await rows(try tokenInsert(t)).isEmpty { throw StoreError.duplicate("token \(t.accessor)") }
    }

    public func insertFirstToken(_ t: TokenRecord) async throws -> Bool {
        let insert = try tokenInsert(t)
        return try await transaction { c in
            // Of several nodes starting together on an empty database, the first holder of this lock
            // finds no token and inserts; the others then find it.
            try await Self.lock(c, "first-token", logger: self.logger)
            guard try await self.rows(c, PostgresStatement("SELECT 1 FROM tokens LIMIT 1")).isEmpty else { return false }
            if try await self.rows(c, insert).isEmpty { throw StoreError.duplicate("token \(t.accessor)") }
            return true
        }
    }

    public func deleteToken(accessor: String) async throws {
        let deleted = try await rows(PostgresStatement("""
            WITH RECURSIVE doomed(accessor) AS (
                SELECT accessor FROM tokens WHERE accessor = ?
                UNION SELECT t.accessor FROM tokens t JOIN doomed d ON t.parent_accessor = d.accessor
            )
            DELETE FROM tokens WHERE accessor IN (SELECT accessor FROM doomed) RETURNING accessor
            """, [.text(accessor)]))
        if deleted.isEmpty { throw StoreError.notFound("token \(accessor)") }
    }

    // MARK: Policies

    private func policy(_ row: PostgresValues) throws -> PolicyRecord {
        try records.verify(.policies, row)
        return PolicyRecord(name: try row.text(0), text: try row.text(1))
    }

    private static let policySelect = "SELECT \(RecordTable.policies.postgresSelectList) FROM policies"

    public func policies() async throws -> [PolicyRecord] {
        try await rows(PostgresStatement(Self.policySelect + " ORDER BY name COLLATE \"C\"")).map(policy)
    }
    public func policy(name: String) async throws -> PolicyRecord? {
        try await rows(PostgresStatement(Self.policySelect + " WHERE name = ?", [.text(name)])).first.map(policy)
    }

    private func policyInsert(_ p: PolicyRecord, replacing: Bool) -> PostgresStatement {
        PostgresStatement(RecordTable.policies.postgresInsertSQL
                          + (replacing ? " ON CONFLICT (name) DO UPDATE SET text = EXCLUDED.text, mac = EXCLUDED.mac"
                                       : " ON CONFLICT (name) DO NOTHING") + " RETURNING name",
                          records.row(.policies, [.text(p.name), .text(p.text)]))
    }

    public func putPolicy(_ p: PolicyRecord) async throws { _ = try await rows(policyInsert(p, replacing: true)) }

    public func createPolicy(_ p: PolicyRecord) async throws -> Bool {
        try await !rows(policyInsert(p, replacing: false)).isEmpty
    }

    public func deletePolicy(name: String) async throws {
        if try await rows(PostgresStatement("DELETE FROM policies WHERE name = ? RETURNING name", [.text(name)])).isEmpty {
            throw StoreError.notFound("policy \(name)")
        }
    }

    // MARK: Audit devices

    private func auditDevice(_ row: PostgresValues) throws -> AuditDeviceRecord {
        try records.verify(.auditDevices, row)
        let options = try JSONDecoder().decode([String: String].self, from: Data(try row.text(3).utf8))
        return AuditDeviceRecord(path: try row.text(0), type: try row.text(1), description: try row.text(2), options: options)
    }

    public func auditDevices() async throws -> [AuditDeviceRecord] {
        try await rows(PostgresStatement("SELECT \(RecordTable.auditDevices.postgresSelectList) FROM audit_devices ORDER BY path COLLATE \"C\""))
            .map(auditDevice)
    }

    public func insertAuditDevice(_ d: AuditDeviceRecord) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let options = String(decoding: try encoder.encode(d.options), as: UTF8.self)
        let insert = PostgresStatement(RecordTable.auditDevices.postgresInsertSQL + " ON CONFLICT DO NOTHING RETURNING path",
                                       records.row(.auditDevices, [.text(d.path), .text(d.type), .text(d.description), .text(options)]))
        if try await rows(insert).isEmpty { throw StoreError.duplicate("audit device \(d.path)") }
    }

    public func deleteAuditDevice(path: String) async throws {
        if try await rows(PostgresStatement("DELETE FROM audit_devices WHERE path = ? RETURNING path", [.text(path)])).isEmpty {
            throw StoreError.notFound("audit device \(path)")
        }
    }

    // MARK: Cluster-wide locks

    /// A session advisory lock, taken with `pg_try_advisory_lock` and retried every 20 ms (a
    /// waiter holds no connection, so waiters never starve the holder's body of connections), held
    /// on one leased connection while `body` runs. A node that dies holding it loses its session,
    /// and with it the lock. Fails with "database unavailable" after ``operationTimeout`` of waiting.
    public func withExclusiveLock<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let key = PostgresStatement("SELECT pg_try_advisory_lock(hashtextextended(?, 0))", [.text("strongroom/lock/" + name)])
        let unlock = PostgresStatement("SELECT pg_advisory_unlock(hashtextextended(?, 0))", [.text("strongroom/lock/" + name)])
        let deadline = ContinuousClock.now + operationTimeout
        _ = try await rows(PostgresStatement("SELECT 1"))   // fails fast, not in the pool's wait, when the database is down
        while true {
            let outcome: Result<T, any Error>?
            do {
                outcome = try await client.withConnection { c in
                guard try await c.run(key.query, logger: self.logger).first?.decode(Bool.self) == true else { return nil }
                let result: Result<T, any Error>
                do { result = .success(try await body()) } catch { result = .failure(error) }
                _ = try? await c.run(unlock.query, logger: self.logger)
                return result
                }
            } catch { throw Self.storeError(error) }
            if let outcome { return try outcome.get() }
            guard ContinuousClock.now < deadline else { throw StoreError.unavailable("the lock \(name) was not free within \(operationTimeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
