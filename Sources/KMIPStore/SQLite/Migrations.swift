import Foundation
import GRDB

/// The schema, as numbered forward-only migrations. Never edit a shipped migration: add "v2", "v3"…
enum Migrations {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL);
                CREATE TABLE config (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
                CREATE TABLE ca_material (
                    position INTEGER PRIMARY KEY NOT NULL,
                    certificate BLOB NOT NULL,
                    private_key BLOB NOT NULL            -- sealed by the keyring
                );
                CREATE TABLE scopes (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL UNIQUE);
                CREATE TABLE roles (
                    scope_id TEXT NOT NULL REFERENCES scopes(id),
                    name TEXT NOT NULL,
                    id TEXT NOT NULL UNIQUE,
                    all_operations INTEGER NOT NULL,
                    operations TEXT NOT NULL,           -- comma-separated Operation values
                    tls_client_key_type TEXT,
                    tls_client_key_bits INTEGER,
                    tls_client_ttl INTEGER,
                    PRIMARY KEY (scope_id, name)
                );
                CREATE TABLE credentials (
                    serial TEXT PRIMARY KEY NOT NULL,
                    scope_id TEXT NOT NULL,
                    role_name TEXT NOT NULL,
                    certificate BLOB NOT NULL,
                    expires_at INTEGER NOT NULL,
                    FOREIGN KEY (scope_id, role_name) REFERENCES roles(scope_id, name)
                );
                CREATE INDEX credentials_by_role ON credentials(scope_id, role_name);
                CREATE TABLE objects (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    uid TEXT NOT NULL UNIQUE,
                    scope_id TEXT NOT NULL,
                    object_type INTEGER NOT NULL,
                    state INTEGER NOT NULL,
                    algorithm INTEGER,
                    length INTEGER,
                    initial_date INTEGER NOT NULL,
                    activation_date INTEGER,
                    deactivation_date INTEGER,
                    destroy_date INTEGER,
                    object_group TEXT,
                    attributes BLOB NOT NULL,           -- TTLV Template-Attribute
                    key_material BLOB                   -- sealed by the keyring
                );
                CREATE INDEX objects_by_date ON objects(scope_id, initial_date DESC, seq DESC);
                CREATE INDEX objects_by_type ON objects(scope_id, object_type, initial_date DESC);
                CREATE INDEX objects_by_state ON objects(scope_id, state, initial_date DESC);
                CREATE INDEX objects_by_algorithm ON objects(scope_id, algorithm, length, initial_date DESC);
                CREATE INDEX objects_by_length ON objects(scope_id, length, initial_date DESC);
                CREATE INDEX objects_by_group ON objects(scope_id, object_group, initial_date DESC);
                CREATE INDEX objects_by_activation ON objects(scope_id, activation_date);
                CREATE INDEX objects_by_deactivation ON objects(scope_id, deactivation_date);
                CREATE INDEX objects_by_destroy ON objects(scope_id, destroy_date);
                CREATE TABLE object_names (
                    object_seq INTEGER NOT NULL REFERENCES objects(seq) ON DELETE CASCADE,
                    scope_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    initial_date INTEGER NOT NULL,      -- copied so Locate by Name sorts from the index
                    PRIMARY KEY (object_seq, name)
                );
                CREATE INDEX object_names_lookup ON object_names(scope_id, name, initial_date DESC, object_seq DESC);
                """)
        }
        // v2: what Locate filters on beyond v1's columns: the usage mask, the storage status, and a
        // value index over every other attribute instance (Link, Object Group, Fresh, custom…).
        m.registerMigration("v2") { db in
            try db.execute(sql: """
                ALTER TABLE objects ADD COLUMN usage_mask INTEGER;
                ALTER TABLE objects ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE object_values (
                    object_seq INTEGER NOT NULL REFERENCES objects(seq) ON DELETE CASCADE,
                    scope_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    value BLOB NOT NULL,                -- the Attribute Value's TTLV encoding
                    number INTEGER,                     -- Date-Time (seconds), Integer, Enumeration values
                    PRIMARY KEY (object_seq, name, value)
                ) WITHOUT ROWID;
                CREATE INDEX object_values_by_value ON object_values(scope_id, name, value);
                CREATE INDEX object_values_by_number ON object_values(scope_id, name, number) WHERE number IS NOT NULL;
                """)
            // Index the objects v1 stored, a chunk at a time.
            var last: Int64 = 0
            while true {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT seq, scope_id, attributes FROM objects WHERE seq > ? ORDER BY seq LIMIT 500
                    """, arguments: [last])
                guard let tail = rows.last else { break }
                last = tail["seq"]
                for row in rows {
                    let attributes = try AttributeBlob.decode(Array(row["attributes"] as Data))
                    try SQLiteStore.writeIndex(db, seq: row["seq"], scopeID: row["scope_id"], attributes: attributes)
                    try db.execute(sql: "UPDATE objects SET usage_mask = ? WHERE seq = ?",
                                   arguments: [ObjectIndex.usageMask(attributes).map { Int64($0) }, row["seq"] as Int64])
                }
            }
        }
        // v3: several mounts. Config, CA and scopes gain the mount they belong to (tables rebuilt,
        // as SQLite cannot add a key column); roles, credentials and objects follow their scope.
        // Mounts, API tokens and audit devices get their tables.
        m.registerMigration("v3") { db in
            try db.execute(sql: """
                CREATE TABLE mounts (
                    id TEXT PRIMARY KEY NOT NULL,
                    path TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    description TEXT NOT NULL,
                    accessor TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE tokens (
                    accessor TEXT PRIMARY KEY NOT NULL,
                    token_hash BLOB NOT NULL UNIQUE,    -- SHA-256 of the token; never the token
                    policies TEXT NOT NULL,             -- JSON array of policy names
                    display_name TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER,
                    parent_accessor TEXT
                );
                CREATE INDEX tokens_by_parent ON tokens(parent_accessor);
                CREATE TABLE audit_devices (
                    path TEXT PRIMARY KEY NOT NULL,
                    type TEXT NOT NULL,
                    description TEXT NOT NULL,
                    options TEXT NOT NULL               -- JSON object
                );
                """)
            // v2 data belonged to the one implicit mount: it becomes the `kmip/` mount.
            let hasData = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM config) OR EXISTS (SELECT 1 FROM ca_material) OR EXISTS (SELECT 1 FROM scopes)
                """) ?? false
            let mountID = Identifiers.mountID()
            if hasData {
                try db.execute(sql: """
                    INSERT INTO mounts (id, path, type, description, accessor, created_at) VALUES (?, 'kmip/', 'kmip', '', ?, ?)
                    """, arguments: [mountID, Identifiers.accessor(prefix: "kmip"), Int64(Date().timeIntervalSince1970)])
            }
            // Foreign keys are off during migrations (GRDB checks them once at the end), so the
            // referenced scopes table can be replaced under roles.
            try db.execute(sql: """
                CREATE TABLE new_config (mount_id TEXT PRIMARY KEY NOT NULL, json TEXT NOT NULL);
                INSERT INTO new_config (mount_id, json) SELECT ?, json FROM config;
                DROP TABLE config;
                ALTER TABLE new_config RENAME TO config;

                CREATE TABLE new_ca_material (
                    mount_id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    certificate BLOB NOT NULL,
                    private_key BLOB NOT NULL,          -- sealed by the keyring
                    PRIMARY KEY (mount_id, position)
                );
                INSERT INTO new_ca_material (mount_id, position, certificate, private_key)
                    SELECT ?, position, certificate, private_key FROM ca_material;
                DROP TABLE ca_material;
                ALTER TABLE new_ca_material RENAME TO ca_material;

                CREATE TABLE new_scopes (
                    id TEXT PRIMARY KEY NOT NULL,       -- unique across mounts: objects are keyed by it
                    mount_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    UNIQUE (mount_id, name)
                );
                INSERT INTO new_scopes (id, mount_id, name) SELECT id, ?, name FROM scopes;
                DROP TABLE scopes;
                ALTER TABLE new_scopes RENAME TO scopes;
                """, arguments: [mountID, mountID, mountID])
        }
        // v4: ACL policies (`sys/policy`), kept as written; Unique Identifiers unique per scope, not
        // across scopes (Import lets clients choose them: one scope must not squat or probe
        // another's). The objects table is rebuilt, as SQLite cannot drop a UNIQUE constraint.
        m.registerMigration("v4") { db in
            try db.execute(sql: """
                CREATE TABLE policies (name TEXT PRIMARY KEY NOT NULL, text TEXT NOT NULL);
                CREATE TABLE new_objects (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    uid TEXT NOT NULL,
                    scope_id TEXT NOT NULL,
                    object_type INTEGER NOT NULL,
                    state INTEGER NOT NULL,
                    algorithm INTEGER,
                    length INTEGER,
                    initial_date INTEGER NOT NULL,
                    activation_date INTEGER,
                    deactivation_date INTEGER,
                    destroy_date INTEGER,
                    object_group TEXT,
                    attributes BLOB NOT NULL,
                    key_material BLOB,
                    usage_mask INTEGER,
                    archived INTEGER NOT NULL DEFAULT 0,
                    UNIQUE (scope_id, uid)
                );
                INSERT INTO new_objects (seq, uid, scope_id, object_type, state, algorithm, length, initial_date,
                    activation_date, deactivation_date, destroy_date, object_group, attributes, key_material, usage_mask, archived)
                    SELECT seq, uid, scope_id, object_type, state, algorithm, length, initial_date,
                    activation_date, deactivation_date, destroy_date, object_group, attributes, key_material, usage_mask, archived
                    FROM objects;
                DROP TABLE objects;
                ALTER TABLE new_objects RENAME TO objects;
                CREATE INDEX objects_by_date ON objects(scope_id, initial_date DESC, seq DESC);
                CREATE INDEX objects_by_type ON objects(scope_id, object_type, initial_date DESC);
                CREATE INDEX objects_by_state ON objects(scope_id, state, initial_date DESC);
                CREATE INDEX objects_by_algorithm ON objects(scope_id, algorithm, length, initial_date DESC);
                CREATE INDEX objects_by_length ON objects(scope_id, length, initial_date DESC);
                CREATE INDEX objects_by_group ON objects(scope_id, object_group, initial_date DESC);
                CREATE INDEX objects_by_activation ON objects(scope_id, activation_date);
                CREATE INDEX objects_by_deactivation ON objects(scope_id, deactivation_date);
                CREATE INDEX objects_by_destroy ON objects(scope_id, destroy_date);
                """)
        }
        // v5: every row that decides access or holds secrets carries a MAC (`RecordAuthenticator`).
        // Existing rows get theirs when the store first opens with the root key.
        m.registerMigration("v5") { db in
            for table in RecordTable.allCases {
                try db.execute(sql: "ALTER TABLE \(table.rawValue) ADD COLUMN mac BLOB")
            }
        }
        return m
    }
}
