import Crypto
import Foundation
import GRDB

/// The tables whose rows decide access or hold secrets, each with the columns its MAC covers (all
/// of them: identity first, then content). Index tables (`object_names`, `object_values`) are
/// derived from `objects.attributes` and only steer Locate within a scope; `meta` holds the
/// keyring check.
enum RecordTable: String, CaseIterable, Sendable {
    case objects, scopes, roles, credentials, config, caMaterial = "ca_material", mounts, tokens, policies
    case auditDevices = "audit_devices"

    var columns: [String] {
        switch self {
        case .objects: ["scope_id", "uid", "object_type", "state", "algorithm", "length", "initial_date", "activation_date",
                        "deactivation_date", "destroy_date", "object_group", "attributes", "key_material", "usage_mask", "archived"]
        case .scopes: ["id", "mount_id", "name"]
        case .roles: ["scope_id", "name", "id", "all_operations", "operations", "tls_client_key_type", "tls_client_key_bits",
                      "tls_client_ttl"]
        case .credentials: ["serial", "scope_id", "role_name", "certificate", "expires_at"]
        case .config: ["mount_id", "json"]
        case .caMaterial: ["mount_id", "position", "certificate", "private_key"]
        case .mounts: ["id", "path", "type", "description", "accessor", "created_at"]
        case .tokens: ["accessor", "token_hash", "policies", "display_name", "created_at", "expires_at", "parent_accessor"]
        case .policies: ["name", "text"]
        case .auditDevices: ["path", "type", "description", "options"]
        }
    }

    /// How many leading columns name the row (for messages; never secret).
    var identityCount: Int {
        [.objects, .roles, .caMaterial].contains(self) ? 2 : 1
    }

    /// `extra…, columns…, mac`: the select list that ``RecordAuthenticator/verify(_:positional:leading:)``
    /// reads by position, `extra.count` being its `leading`.
    func selectList(leading extra: [String]) -> String {
        (extra + columns + ["mac"]).joined(separator: ", ")
    }

    /// `INSERT [OR REPLACE] INTO t (columns…, mac) VALUES (?…)`.
    func insertSQL(orReplace: Bool = false) -> String {
        let names = columns + ["mac"]
        return "INSERT \(orReplace ? "OR REPLACE " : "")INTO \(rawValue) (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))"
    }
}

/// A stored record failed its MAC: edited, moved or inserted without the root key. Refused, never
/// served or acted on.
public struct RecordIntegrityError: Error, Sendable, CustomStringConvertible {
    public var table: String
    public var identity: String
    public var description: String { "stored record \(table) \(identity) failed its integrity check and was refused" }
}

/// HMAC-SHA256 over a row's table name and every column it covers, under a key derived from the
/// root key (``Keyring/recordMACKey``). The encoding is unambiguous: each value carries its type
/// and length, so no two different rows share an input.
struct RecordAuthenticator: Sendable {
    private final class Key: @unchecked Sendable {
        let key: SymmetricKey
        init(_ key: SymmetricKey) { self.key = key }
    }
    private let box: Key

    init(keyring: Keyring) { box = Key(keyring.recordMACKey) }

    func mac(_ table: RecordTable, _ values: [DatabaseValue]) -> Data {
        // One update over the whole input: HMAC's generic `update(data:)` costs more per call than
        // hashing a few hundred bytes.
        var hmac = HMAC<SHA256>(key: box.key)
        hmac.update(data: Self.input(table, values))
        return Data(hmac.finalize())
    }

    /// What the MAC covers: `strongroom-record-v1/<table>`, then each column's name and value,
    /// each framed by ``frame(_:_:)``. Stored MACs depend on it byte for byte.
    static func input(_ table: RecordTable, _ values: [DatabaseValue]) -> [UInt8] {
        precondition(values.count == table.columns.count, "a MAC covers every column of \(table.rawValue)")
        var input: [UInt8] = []
        input.reserveCapacity(512)
        frame(&input, "strongroom-record-v1/\(table.rawValue)".databaseValue)
        for (name, value) in zip(table.columns, values) {
            frame(&input, name.databaseValue)
            frame(&input, value)
        }
        return input
    }

    /// The MAC of a row read with `SELECT *` (columns found by name once per statement shape).
    func mac(_ table: RecordTable, row: Row) -> Data {
        mac(table, table.columns.map { row[$0] as DatabaseValue })
    }

    /// Throws ``RecordIntegrityError`` unless the row's `mac` is the MAC of its columns (compared
    /// in constant time).
    func verify(_ table: RecordTable, _ row: Row) throws {
        try check(table, row, values: table.columns.map { row[$0] as DatabaseValue }, stored: row["mac"])
    }

    /// ``verify(_:_:)`` for a row selected with `table.selectList(leading:)`: the covered columns
    /// sit at `leading…`, the MAC after them, so nothing is looked up by name (a hot path: every
    /// object read).
    func verify(_ table: RecordTable, positional row: Row, leading: Int) throws {
        let count = table.columns.count
        try check(table, row, values: (leading..<leading + count).map { row[$0] as DatabaseValue },
                  stored: row[leading + count])
    }

    private func check(_ table: RecordTable, _ row: Row, values: [DatabaseValue], stored: Data?) throws {
        guard let stored, Self.constantTimeEqual(stored, mac(table, values)) else {
            let identity = values.prefix(table.identityCount).map(\.description)
            throw RecordIntegrityError(table: table.rawValue, identity: identity.joined(separator: "/"))
        }
    }

    /// The arguments of `table.insertSQL()`: the values, then their MAC.
    func arguments(_ table: RecordTable, _ values: [(any DatabaseValueConvertible)?]) -> StatementArguments {
        let dbValues = values.map { $0?.databaseValue ?? .null }
        return StatementArguments(dbValues + [mac(table, dbValues).databaseValue])
    }

    /// Appends `value` as type tag, 8-byte big-endian length, bytes: no two rows share an input.
    private static func frame(_ input: inout [UInt8], _ value: DatabaseValue) {
        func append(_ tag: UInt8, _ bytes: UnsafeRawBufferPointer) {
            input.append(tag)
            withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { input.append(contentsOf: $0) }
            input.append(contentsOf: bytes)
        }
        switch value.storage {
        case .null: append(0, UnsafeRawBufferPointer(start: nil, count: 0))
        case .int64(let n): withUnsafeBytes(of: n.bigEndian) { append(1, $0) }
        case .double(let d): withUnsafeBytes(of: d.bitPattern.bigEndian) { append(2, $0) }
        case .string(var s): s.withUTF8 { append(3, UnsafeRawBufferPointer($0)) }
        case .blob(let b): b.withUnsafeBytes { append(4, $0) }
        }
    }

    static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for (x, y) in zip(a, b) { diff |= x ^ y }
        return diff == 0
    }

    /// Gives every row of a database from before authenticated records its MAC, and re-seals CA
    /// keys under the AAD that names their mount. Runs once, in the transaction that retires the
    /// legacy keyring check (see ``SQLiteStore``).
    func authenticateExistingRows(_ db: Database, keyring: Keyring) throws {
        for row in try Row.fetchAll(db, sql: "SELECT rowid AS rid, mount_id, position, private_key FROM ca_material") {
            let position: Int = row["position"]
            let plain = try keyring.open(Array(row["private_key"] as Data), aad: Keyring.legacyCAKeyAAD(index: position))
            let resealed = try keyring.seal(plain, aad: Keyring.caKeyAAD(mountID: row["mount_id"], index: position))
            try db.execute(sql: "UPDATE ca_material SET private_key = ? WHERE rowid = ?", arguments: [Data(resealed), row["rid"] as Int64])
        }
        for table in RecordTable.allCases {
            let rows = try Row.fetchAll(db, sql: "SELECT rowid AS rid, * FROM \(table.rawValue)")
            for row in rows {
                try db.execute(sql: "UPDATE \(table.rawValue) SET mac = ? WHERE rowid = ?",
                               arguments: [mac(table, row: row), row["rid"] as Int64])
            }
        }
    }
}
