import Crypto
import Foundation

/// The tables whose rows decide access or hold secrets, each with the columns its MAC covers (all
/// of them: identity first, then content). Index tables (`object_names`, `object_values`) are
/// derived from `objects.attributes` and only steer Locate within a scope; `meta` holds the
/// keyring check. The same for every SQL dialect.
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
}

/// One column's value as the MAC sees it, whatever the database: each store maps its own value
/// type onto these five (SQLite's storage classes). Booleans are integers 0 and 1.
enum RecordValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    var description: String {
        switch self {
        case .null: "NULL"
        case .integer(let n): "\(n)"
        case .real(let d): "\(d)"
        case .text(let s): String(reflecting: s)
        case .blob(let b): "\(b.count) bytes"
        }
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
/// and length, so no two different rows share an input. Each store adapts its rows in its own
/// folder (`SQLite/RecordAuthentication+SQLite.swift`).
struct RecordAuthenticator: Sendable {
    /// Sealed in a store's `meta` once every row carries its MAC: proves the root key to every later
    /// open, and says that a row without a valid MAC was not written by Strongroom.
    static let recordsCheckLabel = Array("strongroom/records-authenticated/v1".utf8)
    static let rootKeyMismatch = StoreError(.generalFailure, "the root key does not match the one this database was sealed with")

    private final class Key: @unchecked Sendable {
        let key: SymmetricKey
        init(_ key: SymmetricKey) { self.key = key }
    }
    private let box: Key

    init(keyring: Keyring) { box = Key(keyring.recordMACKey) }

    func mac(_ table: RecordTable, _ values: [RecordValue]) -> [UInt8] {
        // One update over the whole input: HMAC's generic `update(data:)` costs more per call than
        // hashing a few hundred bytes.
        var hmac = HMAC<SHA256>(key: box.key)
        hmac.update(data: Self.input(table, values))
        return Array(hmac.finalize())
    }

    /// What the MAC covers: `strongroom-record-v1/<table>`, then each column's name and value,
    /// each framed by ``frame(_:_:)``. Stored MACs depend on it byte for byte.
    static func input(_ table: RecordTable, _ values: [RecordValue]) -> [UInt8] {
        precondition(values.count == table.columns.count, "a MAC covers every column of \(table.rawValue)")
        var input: [UInt8] = []
        input.reserveCapacity(512)
        frame(&input, .text("strongroom-record-v1/\(table.rawValue)"))
        for (name, value) in zip(table.columns, values) {
            frame(&input, .text(name))
            frame(&input, value)
        }
        return input
    }

    /// Throws ``RecordIntegrityError`` unless `stored` is the MAC of `values` (compared in constant time).
    func check(_ table: RecordTable, values: [RecordValue], stored: [UInt8]?) throws {
        guard let stored, Self.constantTimeEqual(stored, mac(table, values)) else {
            let identity = values.prefix(table.identityCount).map(\.description)
            throw RecordIntegrityError(table: table.rawValue, identity: identity.joined(separator: "/"))
        }
    }

    /// Appends `value` as type tag, 8-byte big-endian length, bytes: no two rows share an input.
    private static func frame(_ input: inout [UInt8], _ value: RecordValue) {
        func append(_ tag: UInt8, _ bytes: UnsafeRawBufferPointer) {
            input.append(tag)
            withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { input.append(contentsOf: $0) }
            input.append(contentsOf: bytes)
        }
        switch value {
        case .null: append(0, UnsafeRawBufferPointer(start: nil, count: 0))
        case .integer(let n): withUnsafeBytes(of: n.bigEndian) { append(1, $0) }
        case .real(let d): withUnsafeBytes(of: d.bitPattern.bigEndian) { append(2, $0) }
        case .text(var s): s.withUTF8 { append(3, UnsafeRawBufferPointer($0)) }
        case .blob(let b): b.withUnsafeBytes { append(4, $0) }
        }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for (x, y) in zip(a, b) { diff |= x ^ y }
        return diff == 0
    }
}
