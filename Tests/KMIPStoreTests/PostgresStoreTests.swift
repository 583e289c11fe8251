import Foundation
import KMIP
import Logging
import PostgresNIO
import XCTest
@testable import KMIPStore
import KMIPTestSupport

/// What the PostgreSQL store does beyond the conformance suites: its queries use the indexes,
/// Creates are group-committed, the change feed reports other nodes' writes, and a database that
/// cannot be reached fails calls quickly and clearly.
final class PostgresStoreTests: XCTestCase {
    let databases = PostgresTestDatabases()
    override func tearDown() async throws { try await databases.dropAll() }

    /// A store holding 3,000 objects in two scopes (names, an `x-app` attribute), analysed, so the
    /// planner sees tables of some size.
    func populatedStore() async throws -> PostgresStore {
        let store = try await databases.openStore()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<3_000 {
                var o = StoreConformanceTests.object(scope: i % 2 == 0 ? "scopA" : "scopB", date: 1_700_000_000 + Int64(i), names: ["k\(i)"])
                o.attributes.append(Attribute(name: "x-app", value: .textString("app\(i % 50)")))
                group.addTask { [o] in try await store.insert(o) }
            }
            try await group.waitForAll()
        }
        _ = try await store.rows(PostgresStatement("ANALYZE"))
        return store
    }

    func plan(_ store: PostgresStore, _ statement: PostgresStatement) async throws -> String {
        try await store.rows(PostgresStatement("EXPLAIN " + statement.sql, binds: statement.binds)).map { try $0.text(0) }
            .joined(separator: "\n")
    }

    func testPointReadAndLocateUseTheirIndexes() async throws {
        let store = try await populatedStore()
        let point = try await plan(store, PostgresStatement(PostgresStore.objectSelect(lock: false), [.text("uid"), .text("scopA")]))
        XCTAssertTrue(point.contains("objects_scope_id_uid_key"), point)
        for (q, index) in [(ObjectQuery(name: "k7", storageStatusMask: .onLineStorage, maximumItems: 1), "object_names_lookup"),
                           (ObjectQuery(storageStatusMask: .onLineStorage, maximumItems: 1), "objects_by_date")] {
            let plan = try await plan(store, PostgresStore.locateStatement(scopeID: "scopA", q, counting: false))
            XCTAssertTrue(plan.contains(index), plan)
            XCTAssertFalse(plan.contains("Sort"), plan)
        }
        var byValue = ObjectQuery(attributes: [AttributeMatch("x-app", equals: .textString("app7"))])
        byValue.maximumItems = 10
        let plan = try await plan(store, PostgresStore.locateStatement(scopeID: "scopA", byValue, counting: false))
        XCTAssertTrue(plan.contains("object_values_by_value"), plan)
        XCTAssertFalse(plan.contains("Seq Scan"), plan)
    }

    /// Concurrent Creates share transactions: fewer commits than Creates, every one stored.
    func testCreatesAreGroupCommitted() async throws {
        let store = try await databases.openStore()
        let objects = (0..<64).map { i in StoreConformanceTests.object(date: 1_700_000_000 + Int64(i), names: ["n\(i)"]) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for o in objects { group.addTask { try await store.insert(o) } }
            try await group.waitForAll()
        }
        let commits = await store.insertCommitCount
        XCTAssertLessThan(commits, objects.count)
        let count = try await store.count(scopeID: "scopA", ObjectQuery())
        XCTAssertEqual(count, objects.count)
        // A duplicate in a batch fails alone.
        let again = objects[3]
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { do { try await store.insert(again); return true } catch let e as StoreError { return e.reason != .illegalOperation } }
            for _ in 0..<8 { group.addTask { try await store.insert(StoreConformanceTests.object()); return false } }
            for try await failedWrongly in group { XCTAssertFalse(failedWrongly, "the duplicate must fail with Illegal Operation") }
        }
        let after = try await store.count(scopeID: "scopA", ObjectQuery())
        XCTAssertEqual(after, objects.count + 8)
        // One new identifier sent twice at once (one batch or two): stored once, the other fails.
        let twice = StoreConformanceTests.object(names: ["twice"])
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<2 { group.addTask { do { try await store.insert(twice); return true } catch let e as StoreError where e.reason == .illegalOperation { return false } } }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        XCTAssertEqual(outcomes.count, 2)
        XCTAssertEqual(outcomes.filter { $0 }.count, 1, "exactly one of the two stored it")
        let stored = try await store.object(scopeID: "scopA", uniqueIdentifier: twice.uniqueIdentifier)
        XCTAssertEqual(stored, twice)
    }

    /// A write through one store (node) reaches another's change feed as its table's name.
    func testTheChangeFeedReportsAnotherNodesWrites() async throws {
        let url = try await databases.makeDatabase(), keyring = Keyring.random()
        let follower = try await databases.openStore(url: url, keyring: keyring)
        let writer = try await databases.openStore(url: url, keyring: keyring)
        let seen = AsyncStream<String>.makeStream()
        let feed = Task { await follower.followChanges { seen.continuation.yield($0) } }
        defer { feed.cancel() }
        var tables = seen.stream.makeAsyncIterator()
        let connected = await tables.next()
        XCTAssertEqual(connected, "*", "a (re)connection is reported first")
        let mount = MountEntry(id: Identifiers.mountID(), path: "kmip/", type: "kmip", accessor: "kmip_00000000",
                               createdAt: DateTime(secondsSince1970: 1_700_000_000))
        try await writer.insertMount(mount)
        let afterMount = await tables.next()
        XCTAssertEqual(afterMount, "mounts")
        try await writer.mountStore(mountID: mount.id).insertScope(ScopeRecord(name: "s"))
        let afterScope = await tables.next()
        XCTAssertEqual(afterScope, "scopes")
    }

    /// Nothing listens on the port: the store fails within its timeout, saying the database is unavailable.
    func testAnUnreachableDatabaseFailsQuicklyAndClearly() async throws {
        guard TestPostgres.adminURL != nil else { throw XCTSkip("no PostgreSQL test server") }
        let port = try PostgresStoreTests.closedPort()
        let started = Date()
        do {
            var quiet = Logger(label: "test")
            quiet.logLevel = .critical   // the pool logs every refused connection attempt
            _ = try await PostgresStore.open(.init(connectionURL: "postgres://nobody@127.0.0.1:\(port)/none?sslmode=disable",
                                                   operationTimeout: .seconds(2)), keyring: .random(), logger: quiet)
            XCTFail("opened a store on a closed port")
        } catch let e as StoreError {
            XCTAssertTrue(e.message.hasPrefix(StoreError.unavailablePrefix), e.message)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }

    /// A port nothing listens on (bound, then closed).
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
