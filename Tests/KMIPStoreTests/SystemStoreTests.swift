import Foundation
import KMIP
import PostgresNIO
import XCTest
@testable import KMIPStore
import KMIPTestSupport

/// The `SystemStore` suite every backend passes: mounts (and what deleting one removes), API tokens
/// and audit devices. A subclass per backend overrides `makeStore()`.
class SystemStoreConformanceTests: XCTestCase {
    func makeStore() async throws -> any Store { throw XCTSkip("abstract conformance suite") }

    static func mount(_ path: String, id: String = Identifiers.mountID()) -> MountEntry {
        MountEntry(id: id, path: path, type: "kmip", description: "for \(path)", accessor: Identifiers.accessor(prefix: "kmip"),
                   createdAt: DateTime(secondsSince1970: 1_700_000_000))
    }

    static func token(_ accessor: String, parent: String? = nil, expires: Int64? = nil) -> TokenRecord {
        TokenRecord(accessor: accessor, tokenHash: Array("hash-of-\(accessor)".utf8), policies: ["zeta", "alpha"],
                    displayName: "token \(accessor)", createdAt: DateTime(secondsSince1970: 1_700_000_000),
                    expiresAt: expires.map { DateTime(secondsSince1970: $0) }, parentAccessor: parent)
    }

    // MARK: Mounts

    func checkMountsInsertListAndDuplicates() async throws {
        let store = try await makeStore()
        let none = try await store.mounts()
        XCTAssertEqual(none, [])
        let b = Self.mount("team-b/kmip/"), a = Self.mount("kmip/")
        XCTAssertTrue(Identifiers.isBase62(a.id, count: 8))
        XCTAssertNotNil(a.accessor.wholeMatch(of: /kmip_[0-9a-f]{8}/), a.accessor)
        try await store.insertMount(b)
        try await store.insertMount(a)
        let listed = try await store.mounts()
        XCTAssertEqual(listed, [a, b])   // by path
        await assertStoreError(.illegalOperation) { try await store.insertMount(Self.mount("kmip/")) }
        await assertStoreError(.illegalOperation) { try await store.insertMount(Self.mount("other/", id: a.id)) }
        await assertStoreError(.itemNotFound) { try await store.deleteMount(id: "nosuch12") }
        try await store.deleteMount(id: b.id)
        let after = try await store.mounts()
        XCTAssertEqual(after, [a])
        await assertStoreError(.itemNotFound) { try await store.deleteMount(id: b.id) }
        // The path is free again.
        try await store.insertMount(Self.mount("team-b/kmip/"))
    }

    func checkTwoMountsMayNameAScopeAlike() async throws {
        let store = try await makeStore()
        let one = store.mountStore(mountID: "mountOne"), two = store.mountStore(mountID: "mountTwo")
        let a1 = ScopeRecord(name: "a"), a2 = ScopeRecord(name: "a")
        try await one.insertScope(a1)
        try await two.insertScope(a2)
        try await one.insertScope(ScopeRecord(name: "only-one"))
        let fromOne = try await one.scope(named: "a"), fromTwo = try await two.scope(named: "a")
        XCTAssertEqual(fromOne, a1)
        XCTAssertEqual(fromTwo, a2)
        let namesOne = try await one.scopes().map(\.name), namesTwo = try await two.scopes().map(\.name)
        XCTAssertEqual(namesOne, ["a", "only-one"])
        XCTAssertEqual(namesTwo, ["a"])
        // Scope names stay unique within a mount.
        await assertStoreError(.illegalOperation) { try await two.insertScope(ScopeRecord(name: "a")) }
        // A mount cannot see another's scope by id.
        let crossed = try await one.scope(id: a2.id)
        XCTAssertNil(crossed)
        // Config and CA are per mount.
        try await one.setConfig(ConfigRecord(json: #"{"n":1}"#))
        let otherConfig = try await two.config()
        XCTAssertNil(otherConfig)
        _ = try await two.createCAMaterial(CAMaterial(certificatesDER: [[2]], privateKeys: [StoredSecret([22])]))
        _ = try await one.createCAMaterial(CAMaterial(certificatesDER: [[1]], privateKeys: [StoredSecret([11])]))
        let caTwo = try await two.caMaterial()
        XCTAssertEqual(caTwo?.certificatesDER, [[2]])
        XCTAssertEqual(caTwo?.privateKeys, [StoredSecret([22])])
    }

    func checkScopeAndRoleIDsAreUniqueAcrossMounts() async throws {
        let store = try await makeStore()
        let one = store.mountStore(mountID: "mountOne"), two = store.mountStore(mountID: "mountTwo")
        try await one.insertScope(ScopeRecord(name: "a", id: "sc0pe"))
        await assertStoreError(.illegalOperation) { try await two.insertScope(ScopeRecord(name: "b", id: "sc0pe")) }
        try await two.insertScope(ScopeRecord(name: "b", id: "sc0p2"))
        try await one.putRole(RoleRecord(scopeID: "sc0pe", name: "r", id: "r01e1"))
        await assertStoreError(.illegalOperation) { try await two.putRole(RoleRecord(scopeID: "sc0p2", name: "r", id: "r01e1")) }
    }

    func checkAViewReachesOnlyItsMountsRolesAndCredentials() async throws {
        let store = try await makeStore()
        let one = store.mountStore(mountID: "mountOne"), two = store.mountStore(mountID: "mountTwo")
        let scope = ScopeRecord(name: "a")
        try await two.insertScope(scope)
        let role = RoleRecord(scopeID: scope.id, name: "r", allowsAllOperations: true)
        try await two.putRole(role)
        try await two.addCredential(CredentialRecord(serialNumber: "7", scopeID: scope.id, roleName: "r",
                                                     certificateDER: [1], expiresAt: DateTime(secondsSince1970: 0)))
        await assertStoreError(.itemNotFound) { try await one.putRole(RoleRecord(scopeID: scope.id, name: "x")) }
        await assertStoreError(.itemNotFound) {
            try await one.addCredential(CredentialRecord(serialNumber: "8", scopeID: scope.id, roleName: "r",
                                                         certificateDER: [1], expiresAt: DateTime(secondsSince1970: 0)))
        }
        let roles = try await one.roles(scopeID: scope.id)
        XCTAssertEqual(roles, [])
        let byName = try await one.role(scopeID: scope.id, name: "r"), byID = try await one.role(scopeID: scope.id, id: role.id)
        XCTAssertNil(byName)
        XCTAssertNil(byID)
        let listed = try await one.credentials(scopeID: scope.id, roleName: "r"), serial = try await one.credential(serialNumber: "7")
        XCTAssertEqual(listed, [])
        XCTAssertNil(serial)
        await assertStoreError(.itemNotFound) { try await one.deleteCredential(serialNumber: "7") }
        await assertStoreError(.itemNotFound) { try await one.deleteRole(scopeID: scope.id, name: "r") }
        await assertStoreError(.itemNotFound) { try await one.deleteScope(named: "a", force: true) }
        // All of it is still there for its own mount.
        let kept = try await two.credential(serialNumber: "7"), keptRole = try await two.role(scopeID: scope.id, id: role.id)
        XCTAssertNotNil(kept)
        XCTAssertEqual(keptRole, role)
    }

    /// Mount `entry` with scope "a", role "r", a credential, an object named "n" (with a Link, so
    /// the value index holds a row), config and CA. Returns the scope and the object.
    static func populate(_ store: any Store, _ entry: MountEntry, serial: String) async throws -> (ScopeRecord, ManagedObjectRecord) {
        try await store.insertMount(entry)
        let view = store.mountStore(mountID: entry.id)
        let scope = ScopeRecord(name: "a")
        try await view.insertScope(scope)
        try await view.putRole(RoleRecord(scopeID: scope.id, name: "r", allowsAllOperations: true))
        try await view.addCredential(CredentialRecord(serialNumber: serial, scopeID: scope.id, roleName: "r",
                                                      certificateDER: [0x30], expiresAt: DateTime(secondsSince1970: 1_900_000_000)))
        try await view.setConfig(ConfigRecord(json: #"{"mount":"\#(entry.path)"}"#))
        _ = try await view.createCAMaterial(CAMaterial(certificatesDER: [[0x30, 1]], privateKeys: [StoredSecret([5, 5])]))
        var object = StoreConformanceTests.object(scope: scope.id, names: ["n"])
        object.attributes.append(Attribute(name: "x-owner", value: .textString(entry.path)))
        try await store.insert(object)
        return (scope, object)
    }

    func checkDeleteMountRemovesEverythingItOwns() async throws {
        let store = try await makeStore()
        let gone = Self.mount("gone/"), kept = Self.mount("kept/")
        let (goneScope, goneObject) = try await Self.populate(store, gone, serial: "1")
        let (keptScope, keptObject) = try await Self.populate(store, kept, serial: "2")

        try await store.deleteMount(id: gone.id)

        let mounts = try await store.mounts()
        XCTAssertEqual(mounts, [kept])
        let view = store.mountStore(mountID: gone.id)
        let config = try await view.config(), ca = try await view.caMaterial(), scopes = try await view.scopes()
        XCTAssertNil(config)
        XCTAssertNil(ca)
        XCTAssertEqual(scopes, [])
        let roles = try await view.roles(scopeID: goneScope.id), credential = try await view.credential(serialNumber: "1")
        XCTAssertEqual(roles, [])
        XCTAssertNil(credential)
        let object = try await store.object(scopeID: goneScope.id, uniqueIdentifier: goneObject.uniqueIdentifier)
        XCTAssertNil(object)
        let byName = try await store.locate(scopeID: goneScope.id, ObjectQuery(name: "n"))
        XCTAssertEqual(byName, [])
        let count = try await store.count(scopeID: goneScope.id, ObjectQuery())
        XCTAssertEqual(count, 0)
        // The scope id and the credential serial are free again (nothing of them is left).
        try await store.mountStore(mountID: kept.id).insertScope(ScopeRecord(name: "b", id: goneScope.id))

        // The other mount, with the same scope name, role name and object name, is untouched.
        let other = store.mountStore(mountID: kept.id)
        let keptConfig = try await other.config(), keptCA = try await other.caMaterial()
        XCTAssertEqual(keptConfig?.json, #"{"mount":"kept/"}"#)
        XCTAssertEqual(keptCA?.privateKeys, [StoredSecret([5, 5])])
        let keptScopeNow = try await other.scope(named: "a")
        XCTAssertEqual(keptScopeNow, keptScope)
        let keptRoles = try await other.roles(scopeID: keptScope.id).map(\.name)
        XCTAssertEqual(keptRoles, ["r"])
        let keptCredential = try await other.credential(serialNumber: "2")
        XCTAssertNotNil(keptCredential)
        let keptRead = try await store.object(scopeID: keptScope.id, uniqueIdentifier: keptObject.uniqueIdentifier)
        XCTAssertEqual(keptRead, keptObject)
        let keptByName = try await store.locate(scopeID: keptScope.id, ObjectQuery(name: "n"))
        XCTAssertEqual(keptByName, [keptObject.uniqueIdentifier])
        let keptByValue = try await store.locate(scopeID: keptScope.id, ObjectQuery(attributes: [
            AttributeMatch("x-owner", equals: .textString("kept/")),
        ]))
        XCTAssertEqual(keptByValue, [keptObject.uniqueIdentifier])
    }

    /// Named CAs (Vault 2.0) keep their material apart from the mount's own CA, by id: added once,
    /// read back, deleted alone, and gone with the mount; another mount cannot read it.
    func checkNamedAuthorityMaterial() async throws {
        let store = try await makeStore()
        let entry = Self.mount("named/"), other = Self.mount("other/")
        _ = try await Self.populate(store, entry, serial: "1")
        try await store.insertMount(other)
        let view = store.mountStore(mountID: entry.id)
        let material = CAMaterial(certificatesDER: [[0x30, 7], [0x30, 8]], privateKeys: [StoredSecret([7]), StoredSecret([8])])
        try await view.addAuthorityMaterial(material, id: "matA")
        await assertStoreError(.illegalOperation) {
            try await view.addAuthorityMaterial(CAMaterial(certificatesDER: [[1]], privateKeys: [StoredSecret([1])]), id: "matA")
        }
        try await view.addAuthorityMaterial(CAMaterial(certificatesDER: [[0x30, 9]], privateKeys: [StoredSecret([9])]), id: "matB")
        let read = try await view.authorityMaterial(id: "matA")
        XCTAssertEqual(read, material)
        let own = try await view.caMaterial()
        XCTAssertEqual(own?.privateKeys, [StoredSecret([5, 5])], "the mount's own CA is untouched")
        let crossed = try await store.mountStore(mountID: other.id).authorityMaterial(id: "matA")
        XCTAssertNil(crossed)
        try await view.deleteAuthorityMaterial(id: "matA")
        try await view.deleteAuthorityMaterial(id: "matA")   // nothing there: no error
        let deleted = try await view.authorityMaterial(id: "matA"), kept = try await view.authorityMaterial(id: "matB")
        XCTAssertNil(deleted)
        XCTAssertEqual(kept?.privateKeys, [StoredSecret([9])])
        try await store.deleteMount(id: entry.id)
        let afterMount = try await view.authorityMaterial(id: "matB")
        XCTAssertNil(afterMount)
    }

    // MARK: Tokens

    func checkFirstTokenAndPolicies() async throws {
        let store = try await makeStore()
        let first = try await store.insertFirstToken(Self.token("root"))
        XCTAssertTrue(first)
        let second = try await store.insertFirstToken(Self.token("other-root"))
        XCTAssertFalse(second, "a token exists: no second first token")
        let tokens = try await store.tokens()
        XCTAssertEqual(tokens.map(\.accessor), ["root"])

        let created = try await store.createPolicy(PolicyRecord(name: "default", text: "a"))
        XCTAssertTrue(created)
        let again = try await store.createPolicy(PolicyRecord(name: "default", text: "b"))
        XCTAssertFalse(again, "an existing policy is never overwritten by a create")
        let kept = try await store.policy(name: "default")
        XCTAssertEqual(kept?.text, "a")
        try await store.putPolicy(PolicyRecord(name: "default", text: "c"))
        try await store.putPolicy(PolicyRecord(name: "ops", text: "d"))
        let policies = try await store.policies()
        XCTAssertEqual(policies.map(\.name), ["default", "ops"])
        XCTAssertEqual(policies.map(\.text), ["c", "d"])
        try await store.deletePolicy(name: "ops")
        do { try await store.deletePolicy(name: "ops"); XCTFail("deleted twice") } catch let e as StoreError {
            XCTAssertEqual(e.reason, .itemNotFound)
        }
    }

    func checkTokens() async throws {
        let store = try await makeStore()
        let root = Self.token("root"), child = Self.token("child", parent: "root", expires: 1_800_000_000)
        let grandchild = Self.token("grandchild", parent: "child"), sibling = Self.token("sibling", parent: "root")
        for t in [root, child, grandchild, sibling] { try await store.insertToken(t) }

        let byHash = try await store.token(hash: child.tokenHash), byAccessor = try await store.token(accessor: "child")
        XCTAssertEqual(byHash, child)
        XCTAssertEqual(byAccessor, child)
        XCTAssertEqual(byHash?.policies, ["zeta", "alpha"])
        XCTAssertEqual(byHash?.expiresAt, DateTime(secondsSince1970: 1_800_000_000))
        let rootRead = try await store.token(accessor: "root")
        XCTAssertNil(rootRead?.expiresAt)
        XCTAssertNil(rootRead?.parentAccessor)
        let unknownHash = try await store.token(hash: Array("nope".utf8)), unknownAccessor = try await store.token(accessor: "nope")
        XCTAssertNil(unknownHash)
        XCTAssertNil(unknownAccessor)
        let all = try await store.tokens().map(\.accessor)
        XCTAssertEqual(Set(all), ["root", "child", "grandchild", "sibling"])

        var sameAccessor = Self.token("child")
        sameAccessor.tokenHash = [1, 2, 3]
        await assertStoreError(.illegalOperation) { try await store.insertToken(sameAccessor) }
        var sameHash = Self.token("fresh")
        sameHash.tokenHash = root.tokenHash
        await assertStoreError(.illegalOperation) { try await store.insertToken(sameHash) }

        // Revoking a parent revokes its children, transitively; the rest stays.
        try await store.deleteToken(accessor: "child")
        let left = try await store.tokens().map(\.accessor)
        XCTAssertEqual(Set(left), ["root", "sibling"])
        let grandchildByHash = try await store.token(hash: grandchild.tokenHash)
        XCTAssertNil(grandchildByHash)
        await assertStoreError(.itemNotFound) { try await store.deleteToken(accessor: "child") }
        await assertStoreError(.itemNotFound) { try await store.deleteToken(accessor: "grandchild") }
        await assertStoreError(.itemNotFound) { try await store.deleteToken(accessor: "nope") }
        try await store.deleteToken(accessor: "root")
        let empty = try await store.tokens()
        XCTAssertEqual(empty, [])
    }

    // MARK: Audit devices

    func checkAuditDevices() async throws {
        let store = try await makeStore()
        let none = try await store.auditDevices()
        XCTAssertEqual(none, [])
        let file = AuditDeviceRecord(path: "file/", type: "file", description: "main log",
                                     options: ["file_path": "/var/log/strongroom/audit.log", "fail_closed": "true"])
        let second = AuditDeviceRecord(path: "backup/", type: "file", options: [:])
        try await store.insertAuditDevice(file)
        try await store.insertAuditDevice(second)
        let listed = try await store.auditDevices()
        XCTAssertEqual(listed, [second, file])   // by path
        await assertStoreError(.illegalOperation) {
            try await store.insertAuditDevice(AuditDeviceRecord(path: "file/", type: "file", options: [:]))
        }
        try await store.deleteAuditDevice(path: "file/")
        let after = try await store.auditDevices()
        XCTAssertEqual(after, [second])
        await assertStoreError(.itemNotFound) { try await store.deleteAuditDevice(path: "file/") }
    }
}

final class InMemorySystemStoreTests: SystemStoreConformanceTests {
    override func makeStore() async throws -> any Store { InMemoryStore() }
    func testMountsInsertListAndDuplicates() async throws { try await checkMountsInsertListAndDuplicates() }
    func testTwoMountsMayNameAScopeAlike() async throws { try await checkTwoMountsMayNameAScopeAlike() }
    func testScopeAndRoleIDsAreUniqueAcrossMounts() async throws { try await checkScopeAndRoleIDsAreUniqueAcrossMounts() }
    func testAViewReachesOnlyItsMountsRolesAndCredentials() async throws { try await checkAViewReachesOnlyItsMountsRolesAndCredentials() }
    func testDeleteMountRemovesEverythingItOwns() async throws { try await checkDeleteMountRemovesEverythingItOwns() }
    func testNamedAuthorityMaterial() async throws { try await checkNamedAuthorityMaterial() }
    func testTokens() async throws { try await checkTokens() }
    func testFirstTokenAndPolicies() async throws { try await checkFirstTokenAndPolicies() }
    func testAuditDevices() async throws { try await checkAuditDevices() }
}

final class SQLiteSystemStoreTests: SystemStoreConformanceTests {
    var directory: URL!
    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmipstore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }
    override func makeStore() async throws -> any Store {
        try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path, keyring: .random())
    }

    /// Servers starting together on one database: exactly one inserts the first token.
    func testStoresOnOneFileInsertOneFirstToken() async throws {
        let path = directory.appendingPathComponent("shared.sqlite").path, keyring = Keyring.random()
        let stores = try (0..<4).map { _ in try SQLiteStore(path: path, keyring: keyring) }
        defer { for s in stores { try? s.close() } }
        let inserted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for (i, store) in stores.enumerated() { group.addTask { try await store.insertFirstToken(Self.token("root\(i)")) } }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        XCTAssertEqual(inserted, 1)
        let tokens = try await stores[0].tokens()
        XCTAssertEqual(tokens.count, 1)
    }
    func testMountsInsertListAndDuplicates() async throws { try await checkMountsInsertListAndDuplicates() }
    func testTwoMountsMayNameAScopeAlike() async throws { try await checkTwoMountsMayNameAScopeAlike() }
    func testScopeAndRoleIDsAreUniqueAcrossMounts() async throws { try await checkScopeAndRoleIDsAreUniqueAcrossMounts() }
    func testAViewReachesOnlyItsMountsRolesAndCredentials() async throws { try await checkAViewReachesOnlyItsMountsRolesAndCredentials() }
    func testDeleteMountRemovesEverythingItOwns() async throws { try await checkDeleteMountRemovesEverythingItOwns() }
    func testNamedAuthorityMaterial() async throws { try await checkNamedAuthorityMaterial() }
    func testTokens() async throws { try await checkTokens() }
    func testFirstTokenAndPolicies() async throws { try await checkFirstTokenAndPolicies() }
    func testAuditDevices() async throws { try await checkAuditDevices() }

    /// Beyond what the API shows: no row of the deleted mount is left in any table, index rows included.
    func testDeleteMountLeavesNoRows() async throws {
        let store = try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path, keyring: .random())
        let gone = Self.mount("gone/"), kept = Self.mount("kept/")
        let (goneScope, _) = try await Self.populate(store, gone, serial: "1")
        let (keptScope, _) = try await Self.populate(store, kept, serial: "2")
        try await store.deleteMount(id: gone.id)
        let counts = try await store.pool.read { db in
            try ["objects", "object_names", "object_values", "credentials", "roles", "scopes"].map { table in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE \(table == "scopes" ? "id" : "scope_id") = ?",
                                 arguments: [goneScope.id]) ?? -1
            } + ["config", "ca_material"].map { table in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE mount_id = ?", arguments: [gone.id]) ?? -1
            }
        }
        XCTAssertEqual(counts, [0, 0, 0, 0, 0, 0, 0, 0])
        let keptRows = try await store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM object_values WHERE scope_id = ?", arguments: [keptScope.id]) ?? 0
        }
        XCTAssertGreaterThan(keptRows, 0)
    }
}

/// The system suite on PostgreSQL, and what several nodes starting together on one database must see.
final class PostgresSystemStoreTests: SystemStoreConformanceTests {
    let databases = PostgresTestDatabases()
    override func makeStore() async throws -> any Store { try await databases.openStore() }
    override func tearDown() async throws { try await databases.dropAll() }
    func testMountsInsertListAndDuplicates() async throws { try await checkMountsInsertListAndDuplicates() }
    func testTwoMountsMayNameAScopeAlike() async throws { try await checkTwoMountsMayNameAScopeAlike() }
    func testScopeAndRoleIDsAreUniqueAcrossMounts() async throws { try await checkScopeAndRoleIDsAreUniqueAcrossMounts() }
    func testAViewReachesOnlyItsMountsRolesAndCredentials() async throws { try await checkAViewReachesOnlyItsMountsRolesAndCredentials() }
    func testDeleteMountRemovesEverythingItOwns() async throws { try await checkDeleteMountRemovesEverythingItOwns() }
    func testNamedAuthorityMaterial() async throws { try await checkNamedAuthorityMaterial() }
    func testTokens() async throws { try await checkTokens() }
    func testFirstTokenAndPolicies() async throws { try await checkFirstTokenAndPolicies() }
    func testAuditDevices() async throws { try await checkAuditDevices() }

    /// Three nodes opening one empty database at the same moment: the schema is migrated once
    /// (one version row, no node fails on a half-made schema), one of them inserts the first
    /// token, and a mount's CA is the first writer's on every node.
    func testThreeNodesStartingTogetherMigrateOnceAndAgree() async throws {
        let url = try await databases.makeDatabase(), keyring = Keyring.random()
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<3 { group.addTask { try await PostgresStore.open(.init(connectionURL: url, maxConnections: 4), keyring: keyring) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        defer { Task { for s in stores { try? await s.close() } } }
        let versions = try await stores[0].rows(PostgresStatement("SELECT version FROM schema_migrations"))
        XCTAssertEqual(try versions.map { try $0.int(0) }, PostgresMigrations.migrations.map(\.version))

        let inserted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for (i, store) in stores.enumerated() { group.addTask { try await store.insertFirstToken(Self.token("root\(i)")) } }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        XCTAssertEqual(inserted, 1)
        let tokenCount = try await stores[2].tokens().count
        XCTAssertEqual(tokenCount, 1)

        let mount = Self.mount("kmip/")
        try await stores[0].insertMount(mount)
        let cas = try await withThrowingTaskGroup(of: CAMaterial.self) { group in
            for (i, store) in stores.enumerated() {
                group.addTask {
                    try await store.mountStore(mountID: mount.id).createCAMaterial(
                        CAMaterial(certificatesDER: [[UInt8(i), 1, 2]], privateKeys: [StoredSecret([UInt8(i), 9])]))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(Set(cas).count, 1, "every node got the CA the first writer stored")
        let stored = try await stores[1].mountStore(mountID: mount.id).caMaterial()
        XCTAssertEqual(stored, cas[0])
    }

    /// A second server with another root key is refused: it could not open what the first sealed.
    func testAnotherRootKeyIsRefused() async throws {
        let url = try await databases.makeDatabase()
        _ = try await databases.openStore(url: url, keyring: .random())
        await assertStoreError(.generalFailure) { _ = try await self.databases.openStore(url: url, keyring: .random()) }
    }

    /// A row edited in the database (without the root key) is refused, never served.
    func testEditedRowIsRefused() async throws {
        let store = try await databases.openStore()
        let mount = Self.mount("kmip/")
        try await store.insertMount(mount)
        _ = try await store.rows(PostgresStatement("UPDATE mounts SET path = 'other/' WHERE id = ?", [.text(mount.id)]))
        do {
            _ = try await store.mounts()
            XCTFail("an edited mount row was served")
        } catch let e as RecordIntegrityError {
            XCTAssertEqual(e.table, "mounts")
        }
    }
}

/// libpq's URL forms, read into postgres-nio's configuration.
final class PostgresConnectionURLTests: XCTestCase {
    func testURLForms() throws {
        let tcp = try PostgresConnectionURL.parse("postgres://sr:p%40ss@db.example:6432/keys?sslmode=disable")
        XCTAssertEqual(tcp.host, "db.example")
        XCTAssertEqual(tcp.port, 6432)
        XCTAssertEqual(tcp.username, "sr")
        XCTAssertEqual(tcp.password, "p@ss")
        XCTAssertEqual(tcp.database, "keys")
        let socket = try PostgresConnectionURL.parse("postgresql://sr@/keys?host=/run/postgresql")
        XCTAssertEqual(socket.unixSocketPath, "/run/postgresql/.s.PGSQL.5432")
        for mode in ["disable", "prefer", "require", "verify-ca", "verify-full"] {
            XCTAssertNoThrow(try PostgresConnectionURL.parse("postgres://sr@db/keys?sslmode=\(mode)"), mode)
        }
        XCTAssertEqual(try PostgresConnectionURL.parse("postgres://sr@db").database, "sr", "the database defaults to the user name")
        for bad in ["mysql://sr@db/keys", "postgres://db/keys", "postgres://sr@db/keys?sslmode=sometimes", "postgres://sr@db/keys?table=x"] {
            XCTAssertThrowsError(try PostgresConnectionURL.parse(bad), bad)
        }
    }
}
