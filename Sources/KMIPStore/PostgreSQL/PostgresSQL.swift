import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// A statement being built: SQL text with `$n` placeholders and their bindings, so values never
/// reach the text (no injection, no quoting rules).
struct PostgresStatement: Sendable {
    private(set) var sql: String
    private(set) var binds = PostgresBindings()

    init(_ sql: String = "") { self.sql = sql }

    init(_ sql: String, binds: PostgresBindings) { self.sql = sql; self.binds = binds }

    /// Binds `value` and returns its placeholder.
    mutating func bind(_ value: RecordValue) -> String {
        switch value {
        case .null: binds.appendNull()
        case .integer(let n): binds.append(n)
        case .real(let d): binds.append(d)
        case .text(let s): binds.append(s)
        case .blob(let b): binds.append(ByteBuffer(bytes: b))
        }
        return "$\(binds.count)"
    }

    mutating func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    mutating func append(_ text: String) { sql += text }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }

    /// `sql` with `?` placeholders replaced by `values`, in order.
    init(_ sql: String, _ values: [RecordValue]) {
        self.init()
        var rest = Substring(sql)
        for value in values {
            guard let mark = rest.firstIndex(of: "?") else { preconditionFailure("more values than placeholders in \(sql)") }
            self.sql += rest[..<mark]
            self.sql += bind(value)
            rest = rest[rest.index(after: mark)...]
        }
        precondition(!rest.contains("?"), "fewer values than placeholders in \(sql)")
        self.sql += rest
    }
}

extension RecordValue {
    /// A cell as the MAC sees it: integers of every width as `.integer`, booleans as 0 and 1, text
    /// and bytea as themselves. Strongroom's tables hold no other types.
    init(_ cell: PostgresCell) throws {
        guard cell.bytes != nil else { self = .null; return }
        switch cell.dataType {
        case .int8: self = .integer(try cell.decode(Int64.self))
        case .int4: self = .integer(Int64(try cell.decode(Int32.self)))
        case .int2: self = .integer(Int64(try cell.decode(Int16.self)))
        case .bool: self = .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .float8: self = .real(try cell.decode(Double.self))
        case .text, .varchar, .name: self = .text(try cell.decode(String.self))
        case .bytea: self = .blob(Array(buffer: try cell.decode(ByteBuffer.self)))
        default: throw StoreError(.generalFailure, "unexpected column type \(cell.dataType) of \(cell.columnName)")
        }
    }

    var integer: Int64? { if case .integer(let n) = self { n } else { nil } }
    var text: String? { if case .text(let s) = self { s } else { nil } }
    var blob: [UInt8]? { if case .blob(let b) = self { b } else { nil } }
}

/// A row read back as ``RecordValue``s, by position.
struct PostgresValues: Sendable {
    let values: [RecordValue]

    init(values: [RecordValue]) { self.values = values }

    init(_ row: PostgresRow) throws {
        values = try row.makeRandomAccess().map { try RecordValue($0) }
    }

    subscript(i: Int) -> RecordValue { values[i] }

    func int(_ i: Int) throws -> Int64 {
        guard let n = values[i].integer else { throw Self.mistyped(i, "an integer") }
        return n
    }
    func optionalInt(_ i: Int) throws -> Int64? { values[i] == .null ? nil : try int(i) }
    func text(_ i: Int) throws -> String {
        guard let s = values[i].text else { throw Self.mistyped(i, "text") }
        return s
    }
    func optionalText(_ i: Int) throws -> String? { values[i] == .null ? nil : try text(i) }
    func blob(_ i: Int) throws -> [UInt8] {
        guard let b = values[i].blob else { throw Self.mistyped(i, "bytes") }
        return b
    }
    func optionalBlob(_ i: Int) throws -> [UInt8]? { values[i] == .null ? nil : try blob(i) }

    private static func mistyped(_ i: Int, _ expected: String) -> StoreError {
        StoreError(.generalFailure, "stored column \(i) is not \(expected)")
    }
}

extension RecordTable {
    /// `columns…, mac`: what ``PostgresStore`` selects to verify a row, its MAC last.
    var postgresSelectList: String { (columns + ["mac"]).joined(separator: ", ") }

    /// `INSERT INTO t (columns…, mac) VALUES (?…)`, for ``PostgresStatement/init(_:_:)``.
    var postgresInsertSQL: String {
        let names = columns + ["mac"]
        return "INSERT INTO \(rawValue) (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))"
    }
}

extension RecordAuthenticator {
    /// `values` followed by their MAC: the arguments of `table.postgresInsertSQL`.
    func row(_ table: RecordTable, _ values: [RecordValue]) -> [RecordValue] {
        values + [.blob(mac(table, values))]
    }

    /// Throws ``RecordIntegrityError`` unless the row (`table.postgresSelectList` from `leading`) carries its MAC.
    func verify(_ table: RecordTable, _ row: PostgresValues, leading: Int = 0) throws {
        let count = table.columns.count
        try check(table, values: Array(row.values[leading..<leading + count]), stored: row.values[leading + count].blob)
    }
}

extension PostgresConnection {
    /// Runs `query` and collects its rows. Refuses a connection that has closed (the server ended
    /// it, e.g. in a restart): postgres-nio writes a query to a closed channel without ever
    /// answering it, so the caller would wait forever — a ROLLBACK after a lost connection would.
    @discardableResult
    func run(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        guard !isClosed else { throw StoreError.unavailable("the connection to the database was closed") }
        return try await self.query(query, logger: logger).collect()
    }
}

/// `work`'s result, or ``StoreError/unavailable(_:)`` once `timeout` has passed without one. The
/// work goes on unobserved after a timeout (its outcome is unknown to the caller, as with any
/// lost connection) and is cancelled.
func withDeadline<T: Sendable>(_ timeout: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    let race = NIOLockedValueBox<CheckedContinuation<T, any Error>?>(nil)
    return try await withCheckedThrowingContinuation { continuation in
        race.withLockedValue { $0 = continuation }
        let worker = NIOLockedValueBox<Task<Void, Never>?>(nil)
        let deadline = Deadlines.shared.add(after: timeout) {
            guard let waiting = race.withLockedValue({ $0.take() }) else { return }
            worker.withLockedValue { $0 }?.cancel()
            waiting.resume(throwing: StoreError.unavailable("no answer within \(timeout)"))
        }
        worker.withLockedValue { $0 = Task {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await work()) } catch { outcome = .failure(error) }
            Deadlines.shared.remove(deadline)
            race.withLockedValue { $0.take() }?.resume(with: outcome)
        } }
    }
}

/// The deadlines of the pending ``withDeadline(_:_:)`` calls, checked by one ticker every 100 ms
/// while any is pending (a timer per call would cost more than a point read, at thousands of calls
/// a second). A call that answers removes its deadline.
final class Deadlines: Sendable {
    static let shared = Deadlines()
    static let tick: Duration = .milliseconds(100)

    private struct State {
        var pending: [UInt64: (due: ContinuousClock.Instant, expire: @Sendable () -> Void)] = [:]
        var next: UInt64 = 0
        var ticking = false
    }
    private let state = NIOLockedValueBox(State())

    func add(after timeout: Duration, _ expire: @escaping @Sendable () -> Void) -> UInt64 {
        let (id, startTicker) = state.withLockedValue { s -> (UInt64, Bool) in
            s.next &+= 1
            s.pending[s.next] = (ContinuousClock.now + timeout, expire)
            defer { s.ticking = true }
            return (s.next, !s.ticking)
        }
        if startTicker { Task.detached { await self.run() } }
        return id
    }

    func remove(_ id: UInt64) { _ = state.withLockedValue { $0.pending.removeValue(forKey: id) } }

    private func run() async {
        while true {
            try? await Task.sleep(for: Self.tick)
            let now = ContinuousClock.now
            let (due, idle) = state.withLockedValue { s -> ([@Sendable () -> Void], Bool) in
                let expired = s.pending.filter { $0.value.due <= now }
                for id in expired.keys { s.pending[id] = nil }
                if s.pending.isEmpty { s.ticking = false }
                return (expired.values.map(\.expire), s.pending.isEmpty)
            }
            for expire in due { expire() }
            if idle { return }
        }
    }
}
