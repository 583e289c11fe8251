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
        return m
    }
}
