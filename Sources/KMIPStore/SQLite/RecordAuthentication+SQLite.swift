import Foundation
import GRDB

/// SQLite's side of the record MACs: GRDB values and rows mapped onto ``RecordValue``, the SQL
/// that reads and writes a table's covered columns with their MAC.
extension RecordTable {
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

extension RecordValue {
    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let n): self = .integer(n)
        case .double(let d): self = .real(d)
        case .string(let s): self = .text(s)
        case .blob(let b): self = .blob(Array(b))
        }
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let n): n.databaseValue
        case .real(let d): d.databaseValue
        case .text(let s): s.databaseValue
        case .blob(let b): Data(b).databaseValue
        }
    }
}

extension RecordAuthenticator {
    func mac(_ table: RecordTable, _ values: [DatabaseValue]) -> Data {
        Data(mac(table, values.map(RecordValue.init)))
    }

    static func input(_ table: RecordTable, _ values: [DatabaseValue]) -> [UInt8] {
        input(table, values.map(RecordValue.init))
    }

    /// The MAC of a row read with `SELECT *` (columns found by name once per statement shape).
    func mac(_ table: RecordTable, row: Row) -> Data {
        mac(table, table.columns.map { row[$0] as DatabaseValue })
    }

    /// Throws ``RecordIntegrityError`` unless the row's `mac` is the MAC of its columns.
    func verify(_ table: RecordTable, _ row: Row) throws {
        try check(table, values: table.columns.map { RecordValue(row[$0] as DatabaseValue) },
                  stored: (row["mac"] as Data?).map { Array($0) })
    }

    /// ``verify(_:_:)`` for a row selected with `table.selectList(leading:)`: the covered columns
    /// sit at `leading…`, the MAC after them, so nothing is looked up by name (a hot path: every
    /// object read).
    func verify(_ table: RecordTable, positional row: Row, leading: Int) throws {
        let count = table.columns.count
        try check(table, values: (leading..<leading + count).map { RecordValue(row[$0] as DatabaseValue) },
                  stored: (row[leading + count] as Data?).map { Array($0) })
    }

    /// The arguments of `table.insertSQL()`: the values, then their MAC.
    func arguments(_ table: RecordTable, _ values: [(any DatabaseValueConvertible)?]) -> StatementArguments {
        let dbValues = values.map { $0?.databaseValue ?? .null }
        return StatementArguments(dbValues + [mac(table, dbValues).databaseValue])
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
