import Foundation
import Logging
import PostgresNIO

/// Group commit for Creates on PostgreSQL: inserts that arrive while transactions commit are
/// written together by the next one — one statement (``batchSQL``) inserting every row of the
/// batch with its Names and index entries, in one round trip and one transaction, so one WAL
/// flush serves many callers. Up to ``maxTransactions`` run at once (each on its own connection):
/// one alone would leave the database idle during its round trip.
///
/// A duplicate identifier inserts nothing and fails alone (`ON CONFLICT DO NOTHING`; a batch never
/// holds one identifier twice). If the statement fails otherwise, its inserts are retried one
/// transaction each, so one bad row never fails another caller's Create. A caller's `await`
/// returns only after the transaction holding its row has committed.
actor PostgresInsertBatcher {
    /// One object's row as the batch statement reads it (`jsonb_to_recordset`): bytes in base64,
    /// absent fields NULL. Every value is the one its MAC covers.
    struct Row: Encodable, Sendable {
        var scope_id: String, uid: String, object_type: Int64, state: Int64
        var algorithm: Int64?, length: Int64?, initial_date: Int64
        var activation_date: Int64?, deactivation_date: Int64?, destroy_date: Int64?
        var object_group: String?, attributes: String, key_material: String?, usage_mask: Int64?, archived: Int64, mac: String
        var names: [String]
        var entries: [Entry]
        struct Entry: Encodable, Sendable { var n: String, v: String, x: Int64? }

        func json() throws -> String { String(decoding: try JSONEncoder().encode(self), as: UTF8.self) }
    }

    private struct Pending {
        let key: String
        let json: String
        let continuation: CheckedContinuation<Bool, any Error>
    }

    private let client: PostgresClient
    private let logger: Logger
    private let maxBatch: Int
    private var pending: [Pending] = []
    /// Transactions running now.
    private var running = 0
    static let maxTransactions = 4
    /// Transactions committed (for tests).
    private(set) var commits = 0
    /// How long one transaction may take before its callers are told the database is unavailable
    /// (the batcher then goes on: it never waits forever on a lost connection).
    private let timeout: Duration

    init(client: PostgresClient, logger: Logger, maxBatch: Int, timeout: Duration) {
        self.timeout = timeout
        self.client = client
        self.logger = logger
        self.maxBatch = maxBatch
    }

    /// Inserts `row`; false when its scope already holds the identifier.
    func insert(_ row: Row) async throws -> Bool {
        let json = try row.json()
        return try await withCheckedThrowingContinuation { (c: CheckedContinuation<Bool, any Error>) in
            pending.append(Pending(key: row.scope_id + "/" + row.uid, json: json, continuation: c))
            startTransactions()
        }
    }

    /// Starts a transaction for the waiting inserts while fewer than ``maxTransactions`` run.
    private func startTransactions() {
        while running < Self.maxTransactions, !pending.isEmpty {
            var keys: Set<String> = []
            // Up to the first identifier seen twice: it waits for the next batch.
            let batch = Array(pending.prefix(maxBatch).prefix { keys.insert($0.key).inserted })
            pending.removeFirst(batch.count)
            running += 1
            Task {
                await self.write(batch)
                self.running -= 1
                self.startTransactions()
            }
        }
    }

    private func write(_ batch: [Pending]) async {
        do {
            let inserted = try await commit(batch)
            commits += 1
            for p in batch { p.continuation.resume(returning: inserted.contains(p.key)) }
        } catch where batch.count > 1 && !Self.isUnavailable(error) {
            // A row the database refused: the others are retried one transaction each.
            for p in batch {
                do {
                    let inserted = try await commit([p])
                    commits += 1
                    p.continuation.resume(returning: inserted.contains(p.key))
                } catch {
                    p.continuation.resume(throwing: PostgresStore.storeError(error))
                }
            }
        } catch {
            for p in batch { p.continuation.resume(throwing: PostgresStore.storeError(error)) }
        }
    }

    /// The database is unreachable: every retry would wait as long again, so the batch fails whole.
    private static func isUnavailable(_ error: any Error) -> Bool {
        (PostgresStore.storeError(error) as? StoreError)?.message.hasPrefix(StoreError.unavailablePrefix) ?? false
    }

    /// Runs the batch statement (its own transaction); the keys (`scope/uid`) it inserted.
    private func commit(_ batch: [Pending]) async throws -> Set<String> {
        let statement = Self.statement(batch.map(\.json))
        return try await withDeadline(timeout) { [client, logger] in
            try await client.withConnection { c in
                Set(try await c.run(statement.query, logger: logger).map { row in
                    let v = try PostgresValues(row)
                    return try v.text(0) + "/" + v.text(1)
                })
            }
        }
    }

    /// ``batchSQL`` for rows encoded by ``Row/json()``; it returns `scope_id, uid` of each row it inserted.
    static func statement(_ rows: [String]) -> PostgresStatement {
        var statement = PostgresStatement()
        let placeholder = statement.bind(.text("[" + rows.joined(separator: ",") + "]"))
        statement.append(batchSQL.replacingOccurrences(of: "$ROWS", with: placeholder))
        return statement
    }

    static let batchSQL = """
        WITH input AS (
            SELECT * FROM jsonb_to_recordset($ROWS::jsonb) AS x(
                scope_id text, uid text, object_type int8, state int8, algorithm int8, length int8, initial_date int8,
                activation_date int8, deactivation_date int8, destroy_date int8, object_group text, attributes text,
                key_material text, usage_mask int8, archived int8, mac text, names jsonb, entries jsonb)),
        o AS (
            INSERT INTO objects (\(RecordTable.objects.columns.joined(separator: ", ")), mac)
            SELECT scope_id, uid, object_type, state, algorithm, length, initial_date, activation_date, deactivation_date,
                   destroy_date, object_group, decode(attributes, 'base64'), decode(key_material, 'base64'), usage_mask,
                   archived, decode(mac, 'base64')
            FROM input
            ON CONFLICT (scope_id, uid) DO NOTHING RETURNING seq, scope_id, uid),
        n AS (
            INSERT INTO object_names (object_seq, position, scope_id, name, initial_date)
            SELECT o.seq, nm.ord, o.scope_id, nm.name, input.initial_date
            FROM o JOIN input ON input.scope_id = o.scope_id AND input.uid = o.uid
            CROSS JOIN LATERAL jsonb_array_elements_text(input.names) WITH ORDINALITY AS nm(name, ord)
            ON CONFLICT DO NOTHING),
        v AS (
            INSERT INTO object_values (object_seq, scope_id, name, value, number)
            SELECT o.seq, o.scope_id, e->>'n', decode(e->>'v', 'base64'), (e->>'x')::int8
            FROM o JOIN input ON input.scope_id = o.scope_id AND input.uid = o.uid
            CROSS JOIN LATERAL jsonb_array_elements(input.entries) AS e
            ON CONFLICT DO NOTHING)
        SELECT scope_id, uid FROM o
        """
}
