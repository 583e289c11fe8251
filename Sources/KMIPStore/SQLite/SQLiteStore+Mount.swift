import Foundation
import GRDB
import KMIP

/// One mount's records. Every query names the mount: directly for config, CA and scopes, through
/// the scope (`mountScopes`) for roles and credentials, so a view never reaches another mount's rows.
extension SQLiteStore: MountScopedStore {
    /// The scope ids of a mount, as a subquery taking the mount id.
    private static let mountScopes = "(SELECT id FROM scopes WHERE mount_id = ?)"

    // MARK: Config and CA

    package func config(mountID: String) async throws -> ConfigRecord? {
        try await read { db in try self.config(db, mountID: mountID) }
    }

    package func setConfig(_ config: ConfigRecord, mountID: String) async throws {
        try await write { db in try self.setConfig(db, config, mountID: mountID) }
    }

    package func updateConfig(_ change: @escaping @Sendable (ConfigRecord?) throws -> ConfigRecord, mountID: String) async throws -> ConfigRecord {
        // One write transaction (SQLite's write lock): no other writer's config lands in between.
        try await write { db in
            let next = try change(try self.config(db, mountID: mountID))
            try self.setConfig(db, next, mountID: mountID)
            return next
        }
    }

    private func config(_ db: Database, mountID: String) throws -> ConfigRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM config WHERE mount_id = ?"), arguments: [mountID])
            .map { row in try self.records.verify(.config, row); return ConfigRecord(json: row["json"]) }
    }

    private func setConfig(_ db: Database, _ config: ConfigRecord, mountID: String) throws {
        try db.cachedStatement(sql: RecordTable.config.insertSQL(orReplace: true))
            .execute(arguments: self.records.arguments(.config, [mountID, config.json]))
    }

    package func caMaterial(mountID: String) async throws -> CAMaterial? {
        let rows = try await read { db in try self.caRows(db, mountID: mountID) }
        return try opened(rows, mountID: mountID)
    }

    package func createCAMaterial(_ material: CAMaterial, mountID: String) async throws -> CAMaterial {
        guard material.certificatesDER.count == material.privateKeys.count, !material.certificatesDER.isEmpty else {
            throw StoreError(.invalidField, "CA material needs one private key per certificate")
        }
        let sealed = try material.privateKeys.enumerated().map { i, k in Data(try keyring.seal(k.bytes, aad: Keyring.caKeyAAD(mountID: mountID, index: i))) }
        let certificates = material.certificatesDER.map { Data($0) }
        // One write transaction: SQLite's write lock makes "read, insert if absent" atomic for
        // every connection and process on this file.
        let existing = try await write { db -> [(certificate: [UInt8], sealedKey: [UInt8])] in
            let rows = try self.caRows(db, mountID: mountID)
            if !rows.isEmpty { return rows }
            for i in certificates.indices {
                try db.cachedStatement(sql: RecordTable.caMaterial.insertSQL())
                    .execute(arguments: self.records.arguments(.caMaterial, [mountID, i, certificates[i], sealed[i]]))
            }
            return []
        }
        return existing.isEmpty ? material : try opened(existing, mountID: mountID)!
    }

    package func deleteCAMaterial(mountID: String) async throws {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM ca_material WHERE mount_id = ?").execute(arguments: [mountID])
        }
    }

    /// The mount's CA rows in position order, each verified.
    private func caRows(_ db: Database, mountID: String) throws -> [(certificate: [UInt8], sealedKey: [UInt8])] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM ca_material WHERE mount_id = ? ORDER BY position"),
                         arguments: [mountID])
            .map { row in
                try self.records.verify(.caMaterial, row)
                return (Array(row["certificate"] as Data), Array(row["private_key"] as Data))
            }
    }

    private func opened(_ rows: [(certificate: [UInt8], sealedKey: [UInt8])], mountID: String) throws -> CAMaterial? {
        try CAMaterial(sealed: rows, mountID: mountID, keyring: keyring)
    }

    // MARK: Scopes

    private func scope(_ row: Row) throws -> ScopeRecord {
        try records.verify(.scopes, row)
        return ScopeRecord(name: row["name"], id: row["id"])
    }

    package func scopes(mountID: String) async throws -> [ScopeRecord] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM scopes WHERE mount_id = ? ORDER BY name"), arguments: [mountID])
                .map(self.scope)
        }
    }
    package func scope(named name: String, mountID: String) async throws -> ScopeRecord? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM scopes WHERE mount_id = ? AND name = ?"), arguments: [mountID, name])
                .map(self.scope)
        }
    }
    package func scope(id: String, mountID: String) async throws -> ScopeRecord? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM scopes WHERE mount_id = ? AND id = ?"), arguments: [mountID, id])
                .map(self.scope)
        }
    }

    package func insertScope(_ scope: ScopeRecord, mountID: String) async throws {
        try await write { db in
            // The id is checked across all mounts: objects are keyed by scope id alone.
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM scopes WHERE (mount_id = ? AND name = ?) OR id = ?"),
                                 arguments: [mountID, scope.name, scope.id]) != nil {
                throw StoreError.duplicate("scope \(scope.name)")
            }
            try db.cachedStatement(sql: RecordTable.scopes.insertSQL())
                .execute(arguments: self.records.arguments(.scopes, [scope.id, mountID, scope.name]))
        }
    }

    package func deleteScope(named name: String, force: Bool, mountID: String) async throws {
        defer { objectCache.invalidateAll() }
        try await write { db in
            guard let id = try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM scopes WHERE mount_id = ? AND name = ?"),
                                               arguments: [mountID, name]) else {
                throw StoreError.notFound("scope \(name)")
            }
            let owned = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM objects WHERE scope_id = ?"), arguments: [id]) ?? 0
            if owned > 0 && !force { throw StoreError.scopeNotEmpty(name, objects: owned) }
            try db.execute(sql: """
                DELETE FROM object_values WHERE scope_id = ?;
                DELETE FROM object_names WHERE scope_id = ?;
                DELETE FROM objects WHERE scope_id = ?;
                DELETE FROM credentials WHERE scope_id = ?;
                DELETE FROM roles WHERE scope_id = ?;
                DELETE FROM scopes WHERE id = ?;
                """, arguments: [id, id, id, id, id, id])
        }
    }

    // MARK: Roles

    private func role(_ row: Row) throws -> RoleRecord {
        try records.verify(.roles, row)
        let ops = (row["operations"] as String).split(separator: ",").compactMap { UInt32($0) }.map(Operation.init(rawValue:))
        return RoleRecord(scopeID: row["scope_id"], name: row["name"], id: row["id"],
                          allowsAllOperations: row["all_operations"], operations: Set(ops),
                          tlsClientKeyType: row["tls_client_key_type"], tlsClientKeyBits: row["tls_client_key_bits"],
                          tlsClientTTL: row["tls_client_ttl"])
    }

    package func roles(scopeID: String, mountID: String) async throws -> [RoleRecord] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM roles WHERE scope_id = ? AND scope_id IN \(Self.mountScopes) ORDER BY name"),
                             arguments: [scopeID, mountID]).map(self.role)
        }
    }
    package func role(scopeID: String, name: String, mountID: String) async throws -> RoleRecord? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM roles WHERE scope_id = ? AND name = ? AND scope_id IN \(Self.mountScopes)"),
                             arguments: [scopeID, name, mountID]).map(self.role)
        }
    }
    package func role(scopeID: String, id: String, mountID: String) async throws -> RoleRecord? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM roles WHERE scope_id = ? AND id = ? AND scope_id IN \(Self.mountScopes)"),
                             arguments: [scopeID, id, mountID]).map(self.role)
        }
    }

    package func putRole(_ role: RoleRecord, mountID: String) async throws {
        let operations = role.operations.map(\.rawValue).sorted().map(String.init).joined(separator: ",")
        try await write { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM scopes WHERE id = ? AND mount_id = ?"),
                                    arguments: [role.scopeID, mountID]) != nil else {
                throw StoreError.notFound("scope \(role.scopeID)")
            }
            let existing = try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM roles WHERE scope_id = ? AND name = ?"), arguments: [role.scopeID, role.name])
            if existing == nil,
               try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM roles WHERE id = ?"), arguments: [role.id]) != nil {
                throw StoreError.duplicate("role id \(role.id)")
            }
            try db.cachedStatement(sql: RecordTable.roles.insertSQL(orReplace: true)).execute(arguments: self.records.arguments(.roles, [
                role.scopeID, role.name, existing ?? role.id, role.allowsAllOperations, operations,
                role.tlsClientKeyType, role.tlsClientKeyBits, role.tlsClientTTL]))
        }
    }

    package func deleteRole(scopeID: String, name: String, mountID: String) async throws {
        try await write { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM roles WHERE scope_id = ? AND name = ? AND scope_id IN \(Self.mountScopes)"),
                                    arguments: [scopeID, name, mountID]) != nil else {
                throw StoreError.notFound("role \(name)")
            }
            try db.cachedStatement(sql: "DELETE FROM credentials WHERE scope_id = ? AND role_name = ?").execute(arguments: [scopeID, name])
            try db.cachedStatement(sql: "DELETE FROM roles WHERE scope_id = ? AND name = ?").execute(arguments: [scopeID, name])
        }
    }

    // MARK: Credentials

    private func credential(_ row: Row) throws -> CredentialRecord {
        try records.verify(.credentials, row)
        return CredentialRecord(serialNumber: row["serial"], scopeID: row["scope_id"], roleName: row["role_name"],
                         certificateDER: Array(row["certificate"] as Data),
                         expiresAt: DateTime(secondsSince1970: row["expires_at"]))
    }

    package func addCredential(_ c: CredentialRecord, mountID: String) async throws {
        try await write { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM roles WHERE scope_id = ? AND name = ? AND scope_id IN \(Self.mountScopes)"),
                                    arguments: [c.scopeID, c.roleName, mountID]) != nil else {
                throw StoreError.notFound("role \(c.roleName)")
            }
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM credentials WHERE serial = ?"), arguments: [c.serialNumber]) != nil {
                throw StoreError.duplicate("credential \(c.serialNumber)")
            }
            try db.cachedStatement(sql: RecordTable.credentials.insertSQL()).execute(arguments: self.records.arguments(.credentials, [
                c.serialNumber, c.scopeID, c.roleName, Data(c.certificateDER), c.expiresAt.secondsSince1970]))
        }
    }

    package func credentials(scopeID: String, roleName: String, mountID: String) async throws -> [CredentialRecord] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM credentials WHERE scope_id = ? AND role_name = ? AND scope_id IN \(Self.mountScopes) ORDER BY serial
                """), arguments: [scopeID, roleName, mountID]).map(self.credential)
        }
    }
    package func credential(serialNumber: String, mountID: String) async throws -> CredentialRecord? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM credentials WHERE serial = ? AND scope_id IN \(Self.mountScopes)"),
                             arguments: [serialNumber, mountID]).map(self.credential)
        }
    }
    package func deleteCredential(serialNumber: String, mountID: String) async throws {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM credentials WHERE serial = ? AND scope_id IN \(Self.mountScopes)")
                .execute(arguments: [serialNumber, mountID])
            if db.changesCount == 0 { throw StoreError.notFound("credential \(serialNumber)") }
        }
    }
}
