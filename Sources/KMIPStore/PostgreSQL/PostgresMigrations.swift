import Logging
import PostgresNIO

/// The PostgreSQL schema, as numbered forward-only migrations recorded in `schema_migrations`.
/// Never edit a shipped migration: append one. Version 1 is the SQLite schema as of its v5 (same
/// tables, columns and MACs), with PostgreSQL's types: integers are BIGINT (booleans 0 and 1, as
/// the MACs cover them), blobs BYTEA; a Name keeps its position in `object_names.position`.
enum PostgresMigrations {
    static let migrations: [(version: Int64, statements: [String])] = [
        (1, [
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value BYTEA NOT NULL)",
            """
            CREATE TABLE mounts (id TEXT PRIMARY KEY, path TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
                description TEXT NOT NULL, accessor TEXT NOT NULL, created_at BIGINT NOT NULL, mac BYTEA)
            """,
            "CREATE TABLE config (mount_id TEXT PRIMARY KEY, json TEXT NOT NULL, mac BYTEA)",
            """
            CREATE TABLE ca_material (mount_id TEXT NOT NULL, position BIGINT NOT NULL, certificate BYTEA NOT NULL,
                private_key BYTEA NOT NULL, mac BYTEA, PRIMARY KEY (mount_id, position))
            """,
            """
            CREATE TABLE scopes (id TEXT PRIMARY KEY, mount_id TEXT NOT NULL, name TEXT NOT NULL, mac BYTEA,
                UNIQUE (mount_id, name))
            """,
            """
            CREATE TABLE roles (scope_id TEXT NOT NULL REFERENCES scopes(id), name TEXT NOT NULL, id TEXT NOT NULL UNIQUE,
                all_operations BIGINT NOT NULL, operations TEXT NOT NULL, tls_client_key_type TEXT,
                tls_client_key_bits BIGINT, tls_client_ttl BIGINT, mac BYTEA, PRIMARY KEY (scope_id, name))
            """,
            """
            CREATE TABLE credentials (serial TEXT PRIMARY KEY, scope_id TEXT NOT NULL, role_name TEXT NOT NULL,
                certificate BYTEA NOT NULL, expires_at BIGINT NOT NULL, mac BYTEA,
                FOREIGN KEY (scope_id, role_name) REFERENCES roles(scope_id, name))
            """,
            "CREATE INDEX credentials_by_role ON credentials(scope_id, role_name)",
            """
            CREATE TABLE objects (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, uid TEXT NOT NULL,
                scope_id TEXT NOT NULL, object_type BIGINT NOT NULL, state BIGINT NOT NULL, algorithm BIGINT,
                length BIGINT, initial_date BIGINT NOT NULL, activation_date BIGINT, deactivation_date BIGINT,
                destroy_date BIGINT, object_group TEXT, attributes BYTEA NOT NULL, key_material BYTEA,
                usage_mask BIGINT, archived BIGINT NOT NULL DEFAULT 0, mac BYTEA, UNIQUE (scope_id, uid))
            """,
            "CREATE INDEX objects_by_date ON objects(scope_id, initial_date DESC, seq DESC)",
            "CREATE INDEX objects_by_type ON objects(scope_id, object_type, initial_date DESC)",
            "CREATE INDEX objects_by_state ON objects(scope_id, state, initial_date DESC)",
            "CREATE INDEX objects_by_algorithm ON objects(scope_id, algorithm, length, initial_date DESC)",
            "CREATE INDEX objects_by_length ON objects(scope_id, length, initial_date DESC)",
            "CREATE INDEX objects_by_group ON objects(scope_id, object_group, initial_date DESC)",
            "CREATE INDEX objects_by_activation ON objects(scope_id, activation_date)",
            "CREATE INDEX objects_by_deactivation ON objects(scope_id, deactivation_date)",
            "CREATE INDEX objects_by_destroy ON objects(scope_id, destroy_date)",
            """
            CREATE TABLE object_names (object_seq BIGINT NOT NULL REFERENCES objects(seq) ON DELETE CASCADE,
                position BIGINT NOT NULL, scope_id TEXT NOT NULL, name TEXT NOT NULL, initial_date BIGINT NOT NULL,
                PRIMARY KEY (object_seq, name))
            """,
            "CREATE INDEX object_names_lookup ON object_names(scope_id, name, initial_date DESC, object_seq DESC)",
            """
            CREATE TABLE object_values (object_seq BIGINT NOT NULL REFERENCES objects(seq) ON DELETE CASCADE,
                scope_id TEXT NOT NULL, name TEXT NOT NULL, value BYTEA NOT NULL, number BIGINT,
                PRIMARY KEY (object_seq, name, value))
            """,
            "CREATE INDEX object_values_by_value ON object_values(scope_id, name, value)",
            "CREATE INDEX object_values_by_number ON object_values(scope_id, name, number) WHERE number IS NOT NULL",
            """
            CREATE TABLE tokens (accessor TEXT PRIMARY KEY, token_hash BYTEA NOT NULL UNIQUE, policies TEXT NOT NULL,
                display_name TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT, parent_accessor TEXT, mac BYTEA)
            """,
            "CREATE INDEX tokens_by_parent ON tokens(parent_accessor)",
            "CREATE TABLE policies (name TEXT PRIMARY KEY, text TEXT NOT NULL, mac BYTEA)",
            """
            CREATE TABLE audit_devices (path TEXT PRIMARY KEY, type TEXT NOT NULL, description TEXT NOT NULL,
                options TEXT NOT NULL, mac BYTEA)
            """,
        ]),
        // The nodes sharing the database and their heartbeats (sys/ha-status).
        (2, [
            """
            CREATE TABLE nodes (id TEXT PRIMARY KEY, api_address TEXT NOT NULL, kmip_bind_host TEXT, version TEXT NOT NULL,
                started_at BIGINT NOT NULL, last_heartbeat BIGINT NOT NULL)
            """,
        ]),
        // The change feed: every committed write to a table that nodes hold state about notifies
        // `strongroom_changes` with the table's name (``PostgresStore/followChanges(_:)``).
        (3, [
            """
            CREATE FUNCTION strongroom_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_notify('strongroom_changes', TG_TABLE_NAME); RETURN NULL; END $$
            """,
            "CREATE TRIGGER mounts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mounts FOR EACH STATEMENT EXECUTE FUNCTION strongroom_notify_change()",
            "CREATE TRIGGER config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON config FOR EACH STATEMENT EXECUTE FUNCTION strongroom_notify_change()",
            "CREATE TRIGGER ca_material_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ca_material FOR EACH STATEMENT EXECUTE FUNCTION strongroom_notify_change()",
            "CREATE TRIGGER scopes_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON scopes FOR EACH STATEMENT EXECUTE FUNCTION strongroom_notify_change()",
            "CREATE TRIGGER roles_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON roles FOR EACH STATEMENT EXECUTE FUNCTION strongroom_notify_change()",
            "CREATE TRIGGER credentials_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON credentials FOR EACH STATEMENT EXECUTE FUNCTION strongroom_notify_change()",
            "CREATE TRIGGER tokens_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tokens FOR EACH STATEMENT EXECUTE FUNCTION strongroom_notify_change()",
            "CREATE TRIGGER policies_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON policies FOR EACH STATEMENT EXECUTE FUNCTION strongroom_notify_change()",
            "CREATE TRIGGER audit_devices_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON audit_devices FOR EACH STATEMENT EXECUTE FUNCTION strongroom_notify_change()",
        ]),
    ]

    /// The key of the session advisory lock migrations run under: nodes starting together on an
    /// empty database wait for the first, then find nothing left to do.
    static let lockKey: Int64 = 0x5354_524f_4e47_0001   // "STRONG" + 1

    /// Applies the migrations this database lacks, each in its own transaction with its version
    /// row, under the migration lock. Returns the versions applied here.
    @discardableResult
    static func migrate(_ client: PostgresClient, logger: Logger) async throws -> [Int64] {
        try await client.withConnection { c in
            try await c.run("SELECT pg_advisory_lock(\(lockKey))", logger: logger)
            do {
                let applied = try await migrateLocked(c, logger: logger)
                try await c.run("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await c.run("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
                throw error
            }
        }
    }

    private static func migrateLocked(_ c: PostgresConnection, logger: Logger) async throws -> [Int64] {
        try await c.run("""
            CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """, logger: logger)
        var done: Set<Int64> = []
        for row in try await c.run("SELECT version FROM schema_migrations", logger: logger) {
            done.insert(try row.decode(Int64.self))
        }
        guard let latest = migrations.last?.version, done.max() ?? 0 <= latest else {
            throw StoreError(.generalFailure, "the database schema (version \(done.max() ?? 0)) is newer than this server's; upgrade the server")
        }
        var applied: [Int64] = []
        for migration in migrations where !done.contains(migration.version) {
            try await c.run("BEGIN", logger: logger)
            do {
                for statement in migration.statements { try await c.run(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await c.run("INSERT INTO schema_migrations (version) VALUES (\(migration.version))", logger: logger)
                try await c.run("COMMIT", logger: logger)
            } catch {
                _ = try? await c.run("ROLLBACK", logger: logger)
                throw error
            }
            applied.append(migration.version)
        }
        return applied
    }
}
