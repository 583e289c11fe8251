import Foundation
import KMIP
import PostgresNIO

/// One mount's records, as ``SQLiteStore``'s: every query names the mount, directly or through the
/// scope. Uniqueness is the schema's (a concurrent duplicate from another node fails on the key
/// with Illegal Operation); "read, then write" steps hold a row lock or an advisory lock.
extension PostgresStore: MountScopedStore {
    private static let mountScopes = "(SELECT id FROM scopes WHERE mount_id = ?)"

    /// The rows of `statement` on `c` (inside a transaction).
    func rows(_ c: PostgresConnection, _ statement: PostgresStatement) async throws -> [PostgresValues] {
        try await c.run(statement.query, logger: logger).map(PostgresValues.init)
    }

    // MARK: Config and CA

    package func config(mountID: String) async throws -> ConfigRecord? {
        try await rows(Self.configSelect(mountID)).first.map(config)
    }

    private static func configSelect(_ mountID: String) -> PostgresStatement {
        PostgresStatement("SELECT \(RecordTable.config.postgresSelectList) FROM config WHERE mount_id = ?", [.text(mountID)])
    }

    private func config(_ row: PostgresValues) throws -> ConfigRecord {
        try records.verify(.config, row)
        return ConfigRecord(json: try row.text(1))
    }

    private func setConfigStatement(_ config: ConfigRecord, mountID: String) -> PostgresStatement {
        PostgresStatement(RecordTable.config.postgresInsertSQL + " ON CONFLICT (mount_id) DO UPDATE SET json = EXCLUDED.json, mac = EXCLUDED.mac",
                          records.row(.config, [.text(mountID), .text(config.json)]))
    }

    package func setConfig(_ config: ConfigRecord, mountID: String) async throws {
        _ = try await rows(setConfigStatement(config, mountID: mountID))
    }

    package func updateConfig(_ change: @escaping @Sendable (ConfigRecord?) throws -> ConfigRecord, mountID: String) async throws -> ConfigRecord {
        try await transaction { c in
            // The config row may not exist yet: an advisory lock per mount orders every writer.
            try await Self.lock(c, "config/" + mountID, logger: self.logger)
            let next = try change(try await self.rows(c, Self.configSelect(mountID)).first.map(self.config))
            try await c.run(self.setConfigStatement(next, mountID: mountID).query, logger: self.logger)
            return next
        }
    }

    package func deleteCAMaterial(mountID: String) async throws {
        _ = try await rows(PostgresStatement("DELETE FROM ca_material WHERE mount_id = ?", [.text(mountID)]))
    }

    private static func caSelect(_ mountID: String) -> PostgresStatement {
        PostgresStatement("SELECT \(RecordTable.caMaterial.postgresSelectList) FROM ca_material WHERE mount_id = ? ORDER BY position",
                          [.text(mountID)])
    }

    private func caRows(_ rows: [PostgresValues]) throws -> [(certificate: [UInt8], sealedKey: [UInt8])] {
        try rows.map { row in
            try records.verify(.caMaterial, row)
            return (try row.blob(2), try row.blob(3))
        }
    }

    private func opened(_ rows: [(certificate: [UInt8], sealedKey: [UInt8])], mountID: String) throws -> CAMaterial? {
        try CAMaterial(sealed: rows, mountID: mountID, keyring: keyring)
    }

    package func caMaterial(mountID: String) async throws -> CAMaterial? {
        try opened(try caRows(try await rows(Self.caSelect(mountID))), mountID: mountID)
    }

    package func createCAMaterial(_ material: CAMaterial, mountID: String) async throws -> CAMaterial {
        guard material.certificatesDER.count == material.privateKeys.count, !material.certificatesDER.isEmpty else {
            throw StoreError(.invalidField, "CA material needs one private key per certificate")
        }
        let inserts = try material.privateKeys.indices.map { i in
            PostgresStatement(RecordTable.caMaterial.postgresInsertSQL, records.row(.caMaterial, [
                .text(mountID), .integer(Int64(i)), .blob(material.certificatesDER[i]),
                .blob(try keyring.seal(material.privateKeys[i].bytes, aad: Keyring.caKeyAAD(mountID: mountID, index: i)))]))
        }
        let existing = try await transaction { c in
            // Of several nodes creating the mount's CA at once, the first holder of this lock writes it.
            try await Self.lock(c, "ca/" + mountID, logger: self.logger)
            let rows = try self.caRows(try await self.rows(c, Self.caSelect(mountID)))
            if !rows.isEmpty { return rows }
            for insert in inserts { try await c.run(insert.query, logger: self.logger) }
            return []
        }
        return existing.isEmpty ? material : try opened(existing, mountID: mountID)!
    }

    // MARK: Scopes

    private func scope(_ row: PostgresValues) throws -> ScopeRecord {
        try records.verify(.scopes, row)
        return ScopeRecord(name: try row.text(2), id: try row.text(0))
    }

    private static let scopeSelect = "SELECT \(RecordTable.scopes.postgresSelectList) FROM scopes"

    package func scopes(mountID: String) async throws -> [ScopeRecord] {
        try await rows(PostgresStatement(Self.scopeSelect + " WHERE mount_id = ? ORDER BY name COLLATE \"C\"", [.text(mountID)])).map(scope)
    }
    package func scope(named name: String, mountID: String) async throws -> ScopeRecord? {
        try await rows(PostgresStatement(Self.scopeSelect + " WHERE mount_id = ? AND name = ?", [.text(mountID), .text(name)]))
            .first.map(scope)
    }
    package func scope(id: String, mountID: String) async throws -> ScopeRecord? {
        try await rows(PostgresStatement(Self.scopeSelect + " WHERE mount_id = ? AND id = ?", [.text(mountID), .text(id)]))
            .first.map(scope)
    }

    package func insertScope(_ scope: ScopeRecord, mountID: String) async throws {
        // The id is unique across mounts (the primary key), the name within the mount.
        let insert = PostgresStatement(RecordTable.scopes.postgresInsertSQL + " ON CONFLICT DO NOTHING RETURNING id",
                                       records.row(.scopes, [.text(scope.id), .text(mountID), .text(scope.name)]))
        if try await rows(insert).isEmpty { throw StoreError.duplicate("scope \(scope.name)") }
    }

    package func deleteScope(named name: String, force: Bool, mountID: String) async throws {
        try await transaction { c in
            guard let row = try await self.rows(c, PostgresStatement("SELECT id FROM scopes WHERE mount_id = ? AND name = ? FOR UPDATE",
                                                                     [.text(mountID), .text(name)])).first else {
                throw StoreError.notFound("scope \(name)")
            }
            let id = try row.text(0)
            let owned = try await self.rows(c, PostgresStatement("SELECT COUNT(*) FROM objects WHERE scope_id = ?", [.text(id)]))
            let count = try owned.first?.int(0) ?? 0
            if count > 0 && !force { throw StoreError.scopeNotEmpty(name, objects: Int(count)) }
            for table in ["object_values", "object_names", "objects", "credentials", "roles"] {
                try await c.run(PostgresStatement("DELETE FROM \(table) WHERE scope_id = ?", [.text(id)]).query, logger: self.logger)
            }
            try await c.run(PostgresStatement("DELETE FROM scopes WHERE id = ?", [.text(id)]).query, logger: self.logger)
        }
    }

    // MARK: Roles

    private func role(_ row: PostgresValues) throws -> RoleRecord {
        try records.verify(.roles, row)
        let ops = try row.text(4).split(separator: ",").compactMap { UInt32($0) }.map(Operation.init(rawValue:))
        return RoleRecord(scopeID: try row.text(0), name: try row.text(1), id: try row.text(2),
                          allowsAllOperations: try row.int(3) != 0, operations: Set(ops),
                          tlsClientKeyType: try row.optionalText(5), tlsClientKeyBits: try row.optionalInt(6).map { Int($0) },
                          tlsClientTTL: try row.optionalInt(7).map { Int($0) })
    }

    private static let roleSelect = "SELECT \(RecordTable.roles.postgresSelectList) FROM roles"

    package func roles(scopeID: String, mountID: String) async throws -> [RoleRecord] {
        try await rows(PostgresStatement(Self.roleSelect + " WHERE scope_id = ? AND scope_id IN \(Self.mountScopes) ORDER BY name COLLATE \"C\"",
                                         [.text(scopeID), .text(mountID)])).map(role)
    }
    package func role(scopeID: String, name: String, mountID: String) async throws -> RoleRecord? {
        try await rows(PostgresStatement(Self.roleSelect + " WHERE scope_id = ? AND name = ? AND scope_id IN \(Self.mountScopes)",
                                         [.text(scopeID), .text(name), .text(mountID)])).first.map(role)
    }
    package func role(scopeID: String, id: String, mountID: String) async throws -> RoleRecord? {
        try await rows(PostgresStatement(Self.roleSelect + " WHERE scope_id = ? AND id = ? AND scope_id IN \(Self.mountScopes)",
                                         [.text(scopeID), .text(id), .text(mountID)])).first.map(role)
    }

    package func putRole(_ role: RoleRecord, mountID: String) async throws {
        let operations = role.operations.map(\.rawValue).sorted().map(String.init).joined(separator: ",")
        try await transaction { c in
            // The scope row locked: a concurrent delete of the scope waits, then finds this role.
            guard try await !self.rows(c, PostgresStatement("SELECT 1 FROM scopes WHERE id = ? AND mount_id = ? FOR SHARE",
                                                            [.text(role.scopeID), .text(mountID)])).isEmpty else {
                throw StoreError.notFound("scope \(role.scopeID)")
            }
            let existing = try await self.rows(c, PostgresStatement("SELECT id FROM roles WHERE scope_id = ? AND name = ? FOR UPDATE",
                                                                    [.text(role.scopeID), .text(role.name)])).first?.text(0)
            let values: [RecordValue] = [
                .text(role.scopeID), .text(role.name), .text(existing ?? role.id), .integer(role.allowsAllOperations ? 1 : 0),
                .text(operations), role.tlsClientKeyType.map(RecordValue.text) ?? .null,
                role.tlsClientKeyBits.map { .integer(Int64($0)) } ?? .null, role.tlsClientTTL.map { .integer(Int64($0)) } ?? .null]
            let content = RecordTable.roles.columns.dropFirst(2) + ["mac"]
            let upsert = RecordTable.roles.postgresInsertSQL + " ON CONFLICT (scope_id, name) DO UPDATE SET "
                + content.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
            // A new role whose id is taken (in any mount) fails on the id's unique key: Illegal Operation.
            try await c.run(PostgresStatement(upsert, self.records.row(.roles, values)).query, logger: self.logger)
        }
    }

    package func deleteRole(scopeID: String, name: String, mountID: String) async throws {
        try await transaction { c in
            guard try await !self.rows(c, PostgresStatement(
                "SELECT 1 FROM roles WHERE scope_id = ? AND name = ? AND scope_id IN \(Self.mountScopes) FOR UPDATE",
                [.text(scopeID), .text(name), .text(mountID)])).isEmpty else {
                throw StoreError.notFound("role \(name)")
            }
            try await c.run(PostgresStatement("DELETE FROM credentials WHERE scope_id = ? AND role_name = ?",
                                                [.text(scopeID), .text(name)]).query, logger: self.logger)
            try await c.run(PostgresStatement("DELETE FROM roles WHERE scope_id = ? AND name = ?",
                                                [.text(scopeID), .text(name)]).query, logger: self.logger)
        }
    }

    // MARK: Credentials

    private func credential(_ row: PostgresValues) throws -> CredentialRecord {
        try records.verify(.credentials, row)
        return CredentialRecord(serialNumber: try row.text(0), scopeID: try row.text(1), roleName: try row.text(2),
                                certificateDER: try row.blob(3), expiresAt: DateTime(secondsSince1970: try row.int(4)))
    }

    private static let credentialSelect = "SELECT \(RecordTable.credentials.postgresSelectList) FROM credentials"

    package func addCredential(_ c: CredentialRecord, mountID: String) async throws {
        let insert = PostgresStatement(RecordTable.credentials.postgresInsertSQL + " ON CONFLICT (serial) DO NOTHING RETURNING serial",
                                       records.row(.credentials, [.text(c.serialNumber), .text(c.scopeID), .text(c.roleName),
                                                                  .blob(c.certificateDER), .integer(c.expiresAt.secondsSince1970)]))
        try await transaction { conn in
            // The role row locked: a concurrent delete of the role waits, then removes this credential too.
            guard try await !self.rows(conn, PostgresStatement(
                "SELECT 1 FROM roles WHERE scope_id = ? AND name = ? AND scope_id IN \(Self.mountScopes) FOR SHARE",
                [.text(c.scopeID), .text(c.roleName), .text(mountID)])).isEmpty else {
                throw StoreError.notFound("role \(c.roleName)")
            }
            if try await self.rows(conn, insert).isEmpty { throw StoreError.duplicate("credential \(c.serialNumber)") }
        }
    }

    package func credentials(scopeID: String, roleName: String, mountID: String) async throws -> [CredentialRecord] {
        try await rows(PostgresStatement(
            Self.credentialSelect + " WHERE scope_id = ? AND role_name = ? AND scope_id IN \(Self.mountScopes) ORDER BY serial COLLATE \"C\"",
            [.text(scopeID), .text(roleName), .text(mountID)])).map(credential)
    }
    package func credential(serialNumber: String, mountID: String) async throws -> CredentialRecord? {
        try await rows(PostgresStatement(Self.credentialSelect + " WHERE serial = ? AND scope_id IN \(Self.mountScopes)",
                                         [.text(serialNumber), .text(mountID)])).first.map(credential)
    }
    package func deleteCredential(serialNumber: String, mountID: String) async throws {
        let deleted = try await rows(PostgresStatement(
            "DELETE FROM credentials WHERE serial = ? AND scope_id IN \(Self.mountScopes) RETURNING serial",
            [.text(serialNumber), .text(mountID)]))
        if deleted.isEmpty { throw StoreError.notFound("credential \(serialNumber)") }
    }
}
