import Foundation
import GRDB
import KMIP

extension SQLiteStore {
    // MARK: Config and CA

    public func config() async throws -> ConfigRecord? {
        try await read { db in try String.fetchOne(db, sql: "SELECT json FROM config WHERE id = 1").map(ConfigRecord.init) }
    }

    public func setConfig(_ config: ConfigRecord) async throws {
        try await write { db in
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO config (id, json) VALUES (1, ?)").execute(arguments: [config.json])
        }
    }

    public func caMaterial() async throws -> CAMaterial? {
        let rows = try await read { db in
            try Row.fetchAll(db, sql: "SELECT certificate, private_key FROM ca_material ORDER BY position")
                .map { (Array($0["certificate"] as Data), Array($0["private_key"] as Data)) }
        }
        guard !rows.isEmpty else { return nil }
        return CAMaterial(certificatesDER: rows.map(\.0),
                          privateKeys: try rows.enumerated().map { i, r in StoredSecret(try keyring.open(r.1, aad: Keyring.caKeyAAD(index: i))) })
    }

    public func setCAMaterial(_ material: CAMaterial) async throws {
        guard material.certificatesDER.count == material.privateKeys.count else {
            throw StoreError(.invalidField, "CA material needs one private key per certificate")
        }
        let sealed = try material.privateKeys.enumerated().map { i, k in Data(try keyring.seal(k.bytes, aad: Keyring.caKeyAAD(index: i))) }
        let certificates = material.certificatesDER.map { Data($0) }
        try await write { db in
            try db.execute(sql: "DELETE FROM ca_material")
            for i in certificates.indices {
                try db.cachedStatement(sql: "INSERT INTO ca_material (position, certificate, private_key) VALUES (?, ?, ?)").execute(arguments: [i, certificates[i], sealed[i]])
            }
        }
    }

    // MARK: Scopes

    private static func scope(_ row: Row) -> ScopeRecord { ScopeRecord(name: row["name"], id: row["id"]) }

    public func scopes() async throws -> [ScopeRecord] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM scopes ORDER BY name").map(Self.scope) }
    }
    public func scope(named name: String) async throws -> ScopeRecord? {
        try await read { db in try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM scopes WHERE name = ?"), arguments: [name]).map(Self.scope) }
    }
    public func scope(id: String) async throws -> ScopeRecord? {
        try await read { db in try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM scopes WHERE id = ?"), arguments: [id]).map(Self.scope) }
    }

    public func insertScope(_ scope: ScopeRecord) async throws {
        try await write { db in
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM scopes WHERE name = ? OR id = ?"), arguments: [scope.name, scope.id]) != nil {
                throw StoreError.duplicate("scope \(scope.name)")
            }
            try db.cachedStatement(sql: "INSERT INTO scopes (id, name) VALUES (?, ?)").execute(arguments: [scope.id, scope.name])
        }
    }

    public func deleteScope(named name: String, force: Bool) async throws {
        try await write { db in
            guard let id = try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM scopes WHERE name = ?"), arguments: [name]) else {
                throw StoreError.notFound("scope \(name)")
            }
            let owned = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM objects WHERE scope_id = ?"), arguments: [id]) ?? 0
            if owned > 0 && !force { throw StoreError.scopeNotEmpty(name, objects: owned) }
            try db.execute(sql: """
                DELETE FROM object_names WHERE scope_id = ?;
                DELETE FROM objects WHERE scope_id = ?;
                DELETE FROM credentials WHERE scope_id = ?;
                DELETE FROM roles WHERE scope_id = ?;
                DELETE FROM scopes WHERE id = ?;
                """, arguments: [id, id, id, id, id])
        }
    }

    // MARK: Roles

    private static func role(_ row: Row) -> RoleRecord {
        let ops = (row["operations"] as String).split(separator: ",").compactMap { UInt32($0) }.map(Operation.init(rawValue:))
        return RoleRecord(scopeID: row["scope_id"], name: row["name"], id: row["id"],
                          allowsAllOperations: row["all_operations"], operations: Set(ops),
                          tlsClientKeyType: row["tls_client_key_type"], tlsClientKeyBits: row["tls_client_key_bits"],
                          tlsClientTTL: row["tls_client_ttl"])
    }

    public func roles(scopeID: String) async throws -> [RoleRecord] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM roles WHERE scope_id = ? ORDER BY name"), arguments: [scopeID]).map(Self.role)
        }
    }
    public func role(scopeID: String, name: String) async throws -> RoleRecord? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM roles WHERE scope_id = ? AND name = ?"), arguments: [scopeID, name]).map(Self.role)
        }
    }
    public func role(scopeID: String, id: String) async throws -> RoleRecord? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM roles WHERE scope_id = ? AND id = ?"), arguments: [scopeID, id]).map(Self.role)
        }
    }

    public func putRole(_ role: RoleRecord) async throws {
        let operations = role.operations.map(\.rawValue).sorted().map(String.init).joined(separator: ",")
        try await write { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM scopes WHERE id = ?"), arguments: [role.scopeID]) != nil else {
                throw StoreError.notFound("scope \(role.scopeID)")
            }
            let existing = try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM roles WHERE scope_id = ? AND name = ?"), arguments: [role.scopeID, role.name])
            if existing == nil,
               try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM roles WHERE id = ?"), arguments: [role.id]) != nil {
                throw StoreError.duplicate("role id \(role.id)")
            }
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO roles (scope_id, name, id, all_operations, operations,
                    tls_client_key_type, tls_client_key_bits, tls_client_ttl) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [role.scopeID, role.name, existing ?? role.id, role.allowsAllOperations, operations,
                                 role.tlsClientKeyType, role.tlsClientKeyBits, role.tlsClientTTL])
        }
    }

    public func deleteRole(scopeID: String, name: String) async throws {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM credentials WHERE scope_id = ? AND role_name = ?").execute(arguments: [scopeID, name])
            try db.cachedStatement(sql: "DELETE FROM roles WHERE scope_id = ? AND name = ?").execute(arguments: [scopeID, name])
            if db.changesCount == 0 { throw StoreError.notFound("role \(name)") }
        }
    }

    // MARK: Credentials

    private static func credential(_ row: Row) -> CredentialRecord {
        CredentialRecord(serialNumber: row["serial"], scopeID: row["scope_id"], roleName: row["role_name"],
                         certificateDER: Array(row["certificate"] as Data),
                         expiresAt: DateTime(secondsSince1970: row["expires_at"]))
    }

    public func addCredential(_ c: CredentialRecord) async throws {
        try await write { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM roles WHERE scope_id = ? AND name = ?"), arguments: [c.scopeID, c.roleName]) != nil else {
                throw StoreError.notFound("role \(c.roleName)")
            }
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM credentials WHERE serial = ?"), arguments: [c.serialNumber]) != nil {
                throw StoreError.duplicate("credential \(c.serialNumber)")
            }
            try db.cachedStatement(sql: """
                INSERT INTO credentials (serial, scope_id, role_name, certificate, expires_at) VALUES (?, ?, ?, ?, ?)
                """).execute(arguments: [c.serialNumber, c.scopeID, c.roleName, Data(c.certificateDER), c.expiresAt.secondsSince1970])
        }
    }

    public func credentials(scopeID: String, roleName: String) async throws -> [CredentialRecord] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM credentials WHERE scope_id = ? AND role_name = ? ORDER BY serial"), arguments: [scopeID, roleName]).map(Self.credential)
        }
    }
    public func credential(serialNumber: String) async throws -> CredentialRecord? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM credentials WHERE serial = ?"), arguments: [serialNumber]).map(Self.credential)
        }
    }
    public func deleteCredential(serialNumber: String) async throws {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM credentials WHERE serial = ?").execute(arguments: [serialNumber])
            if db.changesCount == 0 { throw StoreError.notFound("credential \(serialNumber)") }
        }
    }
}
