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
        precondition(values.count == table.columns.count, "a MAC covers every column of \(table.rawValue)")
        var hmac = HMAC<SHA256>(key: box.key)
        Self.absorb(&hmac, "strongroom-record-v1/\(table.rawValue)".databaseValue)
        for (name, value) in zip(table.columns, values) {
            Self.absorb(&hmac, name.databaseValue)
            Self.absorb(&hmac, value)
        }
        return Data(hmac.finalize())
    }

    func mac(_ table: RecordTable, row: Row) -> Data {
        mac(table, table.columns.map { row[$0] as DatabaseValue })
    }

    /// Throws ``RecordIntegrityError`` unless the row's `mac` is the MAC of its columns (compared
    /// in constant time).
    func verify(_ table: RecordTable, _ row: Row) throws {
        let expected = mac(table, row: row)
        guard let stored = row["mac"] as Data?, Self.constantTimeEqual(stored, expected) else {
            let identity = table.columns.prefix(table.identityCount).map { "\((row[$0] as DatabaseValue).description)" }
            throw RecordIntegrityError(table: table.rawValue, identity: identity.joined(separator: "/"))
        }
    }

    /// The arguments of `table.insertSQL()`: the values, then their MAC.
    func arguments(_ table: RecordTable, _ values: [(any DatabaseValueConvertible)?]) -> StatementArguments {
        let dbValues = values.map { $0?.databaseValue ?? .null }
        return StatementArguments(dbValues + [mac(table, dbValues).databaseValue])
    }

    private static func absorb(_ hmac: inout HMAC<SHA256>, _ value: DatabaseValue) {
        func frame(_ tag: UInt8, _ bytes: some Collection<UInt8>) {
            var header = [tag]
            withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { header += $0 }
            hmac.update(data: header)
            hmac.update(data: Array(bytes))
        }
        switch value.storage {
        case .null: frame(0, [])
        case .int64(let n): withUnsafeBytes(of: n.bigEndian) { frame(1, Array($0)) }
        case .double(let d): withUnsafeBytes(of: d.bitPattern.bigEndian) { frame(2, Array($0)) }
        case .string(let s): frame(3, Array(s.utf8))
        case .blob(let b): frame(4, b)
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
