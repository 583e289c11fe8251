import Foundation
import KMIP
import XCTest
@testable import KMIPStore
import KMIPTestSupport

typealias Store = ObjectStore & SystemStore

/// The conformance suite every store backend passes: a subclass per backend overrides `makeStore()`
/// and runs each `check…` as a test.
class StoreConformanceTests: XCTestCase {
    func makeStore() async throws -> any Store { throw XCTSkip("abstract conformance suite") }

    static func object(scope: String = "scopA", uid: String = Identifiers.uniqueIdentifier(), date: Int64 = 1_700_000_000,
                       names: [String] = [], type: ObjectType = .symmetricKey, algorithm: CryptographicAlgorithm? = .aes,
                       length: Int32? = 256, state: State = .preActive, group: String? = nil,
                       key: [UInt8]? = Array(repeating: 7, count: 32)) -> ManagedObjectRecord {
        var attributes = [Attribute(type), Attribute(state)]
        attributes += names.map { Attribute(Name($0)) }
        if let algorithm { attributes.append(Attribute(algorithm)) }
        return ManagedObjectRecord(scopeID: scope, uniqueIdentifier: uid, objectType: type, state: state,
                                   cryptographicAlgorithm: algorithm, cryptographicLength: length,
                                   initialDate: DateTime(secondsSince1970: date), objectGroup: group, names: names,
                                   attributes: attributes, keyMaterial: key.map(StoredSecret.init))
    }

    func checkObjectCRUD() async throws {
        let store = try await makeStore()
        var o = Self.object(names: ["k1"])
        o.activationDate = DateTime(secondsSince1970: 1_700_000_100)
        XCTAssertTrue(Identifiers.isBase62(o.uniqueIdentifier, count: 32))
        try await store.insert(o)
        let fetched = try await store.object(scopeID: o.scopeID, uniqueIdentifier: o.uniqueIdentifier)
        XCTAssertEqual(fetched, o)
        XCTAssertEqual(fetched?.attributes, o.attributes)
        XCTAssertEqual(fetched?.keyMaterial?.bytes, o.keyMaterial?.bytes)

        await assertStoreError(.illegalOperation) { try await store.insert(o) }

        var changed = o
        changed.state = .active
        changed.names = ["k2", "k3"]
        changed.keyMaterial = StoredSecret([1, 2, 3])
        changed.attributes.append(Attribute(Name("k2")))
        try await store.update(changed)
        let updated = try await store.object(scopeID: o.scopeID, uniqueIdentifier: o.uniqueIdentifier)
        XCTAssertEqual(updated, changed)
        let byOldName = try await store.locate(scopeID: o.scopeID, ObjectQuery(name: "k1"))
        XCTAssertEqual(byOldName, [])
        let byNewName = try await store.locate(scopeID: o.scopeID, ObjectQuery(name: "k3"))
        XCTAssertEqual(byNewName, [o.uniqueIdentifier])

        try await store.delete(scopeID: o.scopeID, uniqueIdentifier: o.uniqueIdentifier)
        let gone = try await store.object(scopeID: o.scopeID, uniqueIdentifier: o.uniqueIdentifier)
        XCTAssertNil(gone)
        await assertStoreError(.itemNotFound) { try await store.delete(scopeID: o.scopeID, uniqueIdentifier: o.uniqueIdentifier) }
        await assertStoreError(.itemNotFound) { try await store.update(o) }
        let none = try await store.locate(scopeID: o.scopeID, ObjectQuery(name: "k3"))
        XCTAssertEqual(none, [])
    }

    func checkObjectWithoutKeyMaterial() async throws {
        let store = try await makeStore()
        let o = Self.object(algorithm: nil, length: nil, key: nil)
        try await store.insert(o)
        let fetched = try await store.object(scopeID: o.scopeID, uniqueIdentifier: o.uniqueIdentifier)
        XCTAssertEqual(fetched, o)
        XCTAssertNil(fetched?.keyMaterial)
    }

    func checkScopeIsolation() async throws {
        let store = try await makeStore()
        let a = Self.object(scope: "scopA", names: ["shared"])
        try await store.insert(a)
        let fromB = try await store.object(scopeID: "scopB", uniqueIdentifier: a.uniqueIdentifier)
        XCTAssertNil(fromB)
        let locatedFromB = try await store.locate(scopeID: "scopB", ObjectQuery(name: "shared"))
        XCTAssertEqual(locatedFromB, [])
        let allFromB = try await store.locate(scopeID: "scopB", ObjectQuery())
        XCTAssertEqual(allFromB, [])
        var moved = a
        moved.scopeID = "scopB"
        await assertStoreError(.itemNotFound) { try await store.update(moved) }
        await assertStoreError(.itemNotFound) { try await store.delete(scopeID: "scopB", uniqueIdentifier: a.uniqueIdentifier) }
        let stillThere = try await store.object(scopeID: "scopA", uniqueIdentifier: a.uniqueIdentifier)
        XCTAssertEqual(stillThere, a)
    }

    func checkLocateByNameNewestFirst() async throws {
        let store = try await makeStore()
        let old = Self.object(date: 100, names: ["app-key"])
        let newest = Self.object(date: 300, names: ["app-key", "alias"])
        let middle = Self.object(date: 200, names: ["app-key"])
        let other = Self.object(date: 400, names: ["other"])
        let foreign = Self.object(scope: "scopB", date: 500, names: ["app-key"])
        for o in [old, newest, middle, other, foreign] { try await store.insert(o) }

        let byName = try await store.locate(scopeID: "scopA", ObjectQuery(name: "app-key"))
        XCTAssertEqual(byName, [newest, middle, old].map(\.uniqueIdentifier))
        let alias = try await store.locate(scopeID: "scopA", ObjectQuery(name: "alias"))
        XCTAssertEqual(alias, [newest.uniqueIdentifier])
        let all = try await store.locate(scopeID: "scopA", ObjectQuery())
        XCTAssertEqual(all, [other, newest, middle, old].map(\.uniqueIdentifier))
        let ranged = try await store.locate(scopeID: "scopA", ObjectQuery(
            name: "app-key", initialDateFrom: DateTime(secondsSince1970: 150), initialDateTo: DateTime(secondsSince1970: 300)))
        XCTAssertEqual(ranged, [newest, middle].map(\.uniqueIdentifier))
    }

    func checkLocateByAttributes() async throws {
        let store = try await makeStore()
        let aes = Self.object(date: 1, algorithm: .aes, length: 128, state: .active, group: "g1")
        let aes256 = Self.object(date: 2, algorithm: .aes, length: 256)
        let secret = Self.object(date: 3, type: .secretData, algorithm: nil, length: nil, group: "g1")
        for o in [aes, aes256, secret] { try await store.insert(o) }
        func ids(_ q: ObjectQuery) async throws -> [String] { try await store.locate(scopeID: "scopA", q) }
        var r = try await ids(ObjectQuery(objectType: .symmetricKey))
        XCTAssertEqual(r, [aes256.uniqueIdentifier, aes.uniqueIdentifier])
        r = try await ids(ObjectQuery(cryptographicAlgorithm: .aes, cryptographicLength: 128))
        XCTAssertEqual(r, [aes.uniqueIdentifier])
        r = try await ids(ObjectQuery(state: .active))
        XCTAssertEqual(r, [aes.uniqueIdentifier])
        r = try await ids(ObjectQuery(objectGroup: "g1"))
        XCTAssertEqual(r, [secret.uniqueIdentifier, aes.uniqueIdentifier])
        r = try await ids(ObjectQuery(objectType: .secretData, objectGroup: "g1"))
        XCTAssertEqual(r, [secret.uniqueIdentifier])
        r = try await ids(ObjectQuery(cryptographicAlgorithm: .rsa))
        XCTAssertEqual(r, [])
    }

    func checkLocateByUnindexedAttributes() async throws {
        let store = try await makeStore()
        var made: [ManagedObjectRecord] = []
        for n in 0..<6 {
            var o = Self.object(date: Int64(n), names: ["k"])
            o.attributes.append(Attribute(name: "Sensitive", value: .boolean(n % 2 == 0)))
            o.attributes.append(Attribute(name: "Lease Time", value: .interval(Interval(seconds: UInt32(100 + n)))))
            try await store.insert(o)
            made.append(o)
        }
        let sensitive = made.enumerated().filter { $0.offset % 2 == 0 }.map(\.element.uniqueIdentifier).reversed()
        var q = ObjectQuery(name: "k", attributes: [AttributeMatch("Sensitive", equals: .boolean(true))])
        let all = try await store.locate(scopeID: "scopA", q)
        XCTAssertEqual(all, Array(sensitive), "newest first, filtered on the decoded attributes")
        q.offset = 1
        q.maximumItems = 1
        let page = try await store.locate(scopeID: "scopA", q)
        XCTAssertEqual(page, [Array(sensitive)[1]])
        let counted = try await store.count(scopeID: "scopA", q)
        XCTAssertEqual(counted, 3)
        let lease = try await store.locate(scopeID: "scopA", ObjectQuery(attributes: [
            AttributeMatch("Lease Time", equals: .interval(Interval(seconds: 103))), AttributeMatch("Sensitive", equals: .boolean(false)),
        ]))
        XCTAssertEqual(lease, [made[3].uniqueIdentifier])
    }

    func checkLocateByStateFollowsPassedDates() async throws {
        let store = try await makeStore()
        var due = Self.object(date: 1, state: .preActive)          // activation passed: Active now
        due.activationDate = DateTime(secondsSince1970: 50)
        var waiting = Self.object(date: 2, state: .preActive)      // activation in the future
        waiting.activationDate = DateTime(secondsSince1970: 500)
        var expiring = Self.object(date: 3, state: .active)        // deactivation passed: Deactivated now
        expiring.deactivationDate = DateTime(secondsSince1970: 60)
        let plain = Self.object(date: 4, state: .active)
        for o in [due, waiting, expiring, plain] { try await store.insert(o) }
        func ids(_ state: State) async throws -> Set<String> {
            var q = ObjectQuery(state: state)
            q.stateAsOf = DateTime(secondsSince1970: 100)
            return Set(try await store.locate(scopeID: "scopA", q))
        }
        let active = try await ids(.active)
        XCTAssertEqual(active, [due.uniqueIdentifier, plain.uniqueIdentifier])
        let preActive = try await ids(.preActive)
        XCTAssertEqual(preActive, [waiting.uniqueIdentifier])
        let deactivated = try await ids(.deactivated)
        XCTAssertEqual(deactivated, [expiring.uniqueIdentifier])
        let stored = try await store.locate(scopeID: "scopA", ObjectQuery(state: .preActive))
        XCTAssertEqual(Set(stored), [due.uniqueIdentifier, waiting.uniqueIdentifier], "without stateAsOf: the stored state")
    }

    func checkLocateCanLeaveOutDestroyedObjects() async throws {
        let store = try await makeStore()
        let live = Self.object(date: 1, names: ["k"], state: .active)
        let gone = Self.object(date: 2, names: ["k"], state: .destroyed, key: nil)
        let goneCompromised = Self.object(date: 3, names: ["k"], state: .destroyedCompromised, key: nil)
        for o in [live, gone, goneCompromised] { try await store.insert(o) }
        var q = ObjectQuery(name: "k")
        let all = try await store.locate(scopeID: "scopA", q)
        XCTAssertEqual(all, [goneCompromised.uniqueIdentifier, gone.uniqueIdentifier, live.uniqueIdentifier])
        q.excludesDestroyed = true
        let kept = try await store.locate(scopeID: "scopA", q)
        XCTAssertEqual(kept, [live.uniqueIdentifier])
        let counted = try await store.count(scopeID: "scopA", q)
        XCTAssertEqual(counted, 1)
    }

    func checkLocateOffsetAndMaximum() async throws {
        let store = try await makeStore()
        var made: [ManagedObjectRecord] = []
        for i in 0..<10 {
            let o = Self.object(date: Int64(1000 + i), names: ["paged"])
            made.append(o)
            try await store.insert(o)
        }
        let newestFirst = made.reversed().map(\.uniqueIdentifier)
        for name in ["paged", nil] as [String?] {
            var r = try await store.locate(scopeID: "scopA", ObjectQuery(name: name, maximumItems: 3))
            XCTAssertEqual(r, Array(newestFirst[0..<3]))
            r = try await store.locate(scopeID: "scopA", ObjectQuery(name: name, offset: 4, maximumItems: 3))
            XCTAssertEqual(r, Array(newestFirst[4..<7]))
            r = try await store.locate(scopeID: "scopA", ObjectQuery(name: name, offset: 8))
            XCTAssertEqual(r, Array(newestFirst[8...]))
            r = try await store.locate(scopeID: "scopA", ObjectQuery(name: name, offset: 20))
            XCTAssertEqual(r, [])
            r = try await store.locate(scopeID: "scopA", ObjectQuery(name: name, maximumItems: 0))
            XCTAssertEqual(r, [])
        }
    }

    /// A record whose attribute list holds `extra` too (the value index derives from attributes).
    static func object(date: Int64, extra: [Attribute], scope: String = "scopA") -> ManagedObjectRecord {
        var o = object(scope: scope, date: date)
        o.attributes += extra
        return o
    }

    func checkLocateByDateRanges() async throws {
        let store = try await makeStore()
        func at(_ s: Int64) -> DateTime { DateTime(secondsSince1970: s) }
        var early = Self.object(date: 1)
        early.activationDate = at(100); early.deactivationDate = at(500)
        var late = Self.object(date: 2)
        late.activationDate = at(200); late.destroyDate = at(900)
        let undated = Self.object(date: 3)
        for o in [early, late, undated] { try await store.insert(o) }
        func ids(_ edit: (inout ObjectQuery) -> Void) async throws -> [String] {
            var q = ObjectQuery()
            edit(&q)
            return try await store.locate(scopeID: "scopA", q)
        }
        var r = try await ids { $0.activationDateFrom = at(100); $0.activationDateTo = at(200) }
        XCTAssertEqual(r, [late.uniqueIdentifier, early.uniqueIdentifier])
        r = try await ids { $0.activationDateFrom = at(150) }
        XCTAssertEqual(r, [late.uniqueIdentifier])
        r = try await ids { $0.activationDateFrom = at(100); $0.activationDateTo = at(100) }
        XCTAssertEqual(r, [early.uniqueIdentifier])
        r = try await ids { $0.deactivationDateTo = at(1000) }
        XCTAssertEqual(r, [early.uniqueIdentifier])
        r = try await ids { $0.destroyDateFrom = at(900); $0.destroyDateTo = at(900) }
        XCTAssertEqual(r, [late.uniqueIdentifier])
        r = try await ids { $0.destroyDateFrom = at(901) }
        XCTAssertEqual(r, [])
    }

    func checkLocateByUsageMask() async throws {
        let store = try await makeStore()
        let crypt = Self.object(date: 1, extra: [Attribute(CryptographicUsageMask([.encrypt, .decrypt]))])
        let sign = Self.object(date: 2, extra: [Attribute(CryptographicUsageMask([.sign, .encrypt]))])
        let none = Self.object(date: 3)
        for o in [crypt, sign, none] { try await store.insert(o) }
        func ids(_ mask: CryptographicUsageMask) async throws -> [String] {
            try await store.locate(scopeID: "scopA", ObjectQuery(cryptographicUsageMask: mask.rawValue))
        }
        var r = try await ids(.encrypt)
        XCTAssertEqual(r, [sign.uniqueIdentifier, crypt.uniqueIdentifier])
        r = try await ids([.encrypt, .decrypt])
        XCTAssertEqual(r, [crypt.uniqueIdentifier])
        r = try await ids([.decrypt, .sign])
        XCTAssertEqual(r, [])
    }

    func checkLocateByAttributeValues() async throws {
        let store = try await makeStore()
        let target = Identifiers.uniqueIdentifier()
        let linked = Self.object(date: 1, extra: [
            Attribute(Link(.publicKeyLink, target)), Attribute(name: "Object Group", value: .textString("g1")),
            Attribute(name: "Object Group", value: .textString("g2")), Attribute(name: "Fresh", value: .boolean(true)),
            Attribute(name: "Original Creation Date", value: .dateTime(DateTime(secondsSince1970: 1000))),
        ])
        let custom = Self.object(date: 2, extra: [
            Attribute(name: "x-app", value: .textString("billing")), Attribute(name: "Object Group", value: .textString("g2")),
            Attribute(name: "Fresh", value: .boolean(false)),
            Attribute(name: "Original Creation Date", value: .dateTime(DateTime(secondsSince1970: 2000))),
        ])
        let foreign = Self.object(date: 3, extra: [Attribute(name: "x-app", value: .textString("billing"))], scope: "scopB")
        for o in [linked, custom, foreign] { try await store.insert(o) }
        func ids(_ matches: AttributeMatch...) async throws -> [String] {
            try await store.locate(scopeID: "scopA", ObjectQuery(attributes: matches))
        }
        var r = try await ids(AttributeMatch("Link", equals: .structure(Link(.publicKeyLink, target))))
        XCTAssertEqual(r, [linked.uniqueIdentifier])
        r = try await ids(AttributeMatch("Link", equals: .structure(Link(.privateKeyLink, target))))
        XCTAssertEqual(r, [], "the link type must match too")
        r = try await ids(AttributeMatch("Object Group", equals: .textString("g2")))
        XCTAssertEqual(r, [custom.uniqueIdentifier, linked.uniqueIdentifier])
        r = try await ids(AttributeMatch("Object Group", equals: .textString("g1")), AttributeMatch("Object Group", equals: .textString("g2")))
        XCTAssertEqual(r, [linked.uniqueIdentifier])
        r = try await ids(AttributeMatch("Fresh", equals: .boolean(true)))
        XCTAssertEqual(r, [linked.uniqueIdentifier])
        r = try await ids(AttributeMatch("x-app", equals: .textString("billing")))
        XCTAssertEqual(r, [custom.uniqueIdentifier])
        r = try await ids(AttributeMatch("x-app", equals: .textString("other")))
        XCTAssertEqual(r, [])
        r = try await ids(AttributeMatch("Original Creation Date", from: DateTime(secondsSince1970: 1500), to: DateTime(secondsSince1970: 2000)))
        XCTAssertEqual(r, [custom.uniqueIdentifier])
        r = try await ids(AttributeMatch("Original Creation Date", from: DateTime(secondsSince1970: 1000), to: nil))
        XCTAssertEqual(r, [custom.uniqueIdentifier, linked.uniqueIdentifier])
        // Columns are never matched through the value index.
        r = try await ids(AttributeMatch("State", equals: .enumeration(State.preActive.rawValue)))
        XCTAssertEqual(r, [])

        // An update re-indexes.
        var changed = custom
        changed.attributes.removeAll { $0.attributeName == "x-app" }
        changed.attributes.append(Attribute(name: "x-app", value: .textString("payroll")))
        try await store.update(changed)
        r = try await ids(AttributeMatch("x-app", equals: .textString("billing")))
        XCTAssertEqual(r, [])
        r = try await ids(AttributeMatch("x-app", equals: .textString("payroll")))
        XCTAssertEqual(r, [custom.uniqueIdentifier])
        try await store.delete(scopeID: "scopA", uniqueIdentifier: custom.uniqueIdentifier)
        r = try await ids(AttributeMatch("x-app", equals: .textString("payroll")))
        XCTAssertEqual(r, [])
    }

    func checkLocateByStorageStatus() async throws {
        let store = try await makeStore()
        let online = Self.object(date: 1)
        var archived = Self.object(date: 2)
        archived.archived = true
        for o in [online, archived] { try await store.insert(o) }
        let fetched = try await store.object(scopeID: "scopA", uniqueIdentifier: archived.uniqueIdentifier)
        XCTAssertEqual(fetched?.archived, true)
        func ids(_ mask: StorageStatusMask?) async throws -> [String] {
            try await store.locate(scopeID: "scopA", ObjectQuery(storageStatusMask: mask))
        }
        var r = try await ids(.onLineStorage)
        XCTAssertEqual(r, [online.uniqueIdentifier])
        r = try await ids(.archivalStorage)
        XCTAssertEqual(r, [archived.uniqueIdentifier])
        r = try await ids([.onLineStorage, .archivalStorage])
        XCTAssertEqual(r, [archived.uniqueIdentifier, online.uniqueIdentifier])
        r = try await ids(nil)
        XCTAssertEqual(r, [archived.uniqueIdentifier, online.uniqueIdentifier])
        r = try await ids(StorageStatusMask(rawValue: 0))
        XCTAssertEqual(r, [])
        var recovered = archived
        recovered.archived = false
        try await store.update(recovered)
        r = try await ids(.onLineStorage)
        XCTAssertEqual(r, [archived.uniqueIdentifier, online.uniqueIdentifier])
    }

    func checkCountIgnoresOffsetAndMaximum() async throws {
        let store = try await makeStore()
        for i in 0..<7 { try await store.insert(Self.object(date: Int64(i), names: i < 4 ? ["counted"] : [])) }
        try await store.insert(Self.object(scope: "scopB", names: ["counted"]))
        var n = try await store.count(scopeID: "scopA", ObjectQuery(name: "counted", offset: 2, maximumItems: 1))
        XCTAssertEqual(n, 4)
        n = try await store.count(scopeID: "scopA", ObjectQuery(maximumItems: 2))
        XCTAssertEqual(n, 7)
        n = try await store.count(scopeID: "scopA", ObjectQuery(objectType: .secretData))
        XCTAssertEqual(n, 0)
    }

    func checkConfigAndCAMaterial() async throws {
        let store = try await makeStore()
        let mount = store.mountStore(mountID: "mountAAA")
        let noConfig = try await mount.config()
        XCTAssertNil(noConfig)
        try await mount.setConfig(ConfigRecord(json: #"{"listen_addrs":["127.0.0.1:5696"]}"#))
        try await mount.setConfig(ConfigRecord(json: #"{"listen_addrs":["0.0.0.0:5696"]}"#))
        let config = try await mount.config()
        XCTAssertEqual(config?.json, #"{"listen_addrs":["0.0.0.0:5696"]}"#)
        struct Refused: Error {}
        do { _ = try await mount.updateConfig { _ in throw Refused() }; XCTFail("a refused change") } catch is Refused {}
        let updated = try await mount.updateConfig { current in ConfigRecord(json: (current?.json ?? "") + " ") }
        XCTAssertEqual(updated.json, #"{"listen_addrs":["0.0.0.0:5696"]} "#)
        let reread = try await mount.config()
        XCTAssertEqual(reread, updated)
        try await mount.setConfig(ConfigRecord(json: #"{"listen_addrs":["0.0.0.0:5696"]}"#))

        let noCA = try await mount.caMaterial()
        XCTAssertNil(noCA)
        let ca = CAMaterial(certificatesDER: [[0x30, 1], [0x30, 2]], privateKeys: [StoredSecret([9, 9]), StoredSecret([8, 8])])
        _ = try await mount.createCAMaterial(ca)
        let storedCA = try await mount.caMaterial()
        XCTAssertEqual(storedCA, ca)
        XCTAssertEqual(storedCA?.privateKeys.map(\.bytes), [[9, 9], [8, 8]])
        // A second CA for the same mount loses: the first is kept and returned.
        let late = CAMaterial(certificatesDER: [[0x30, 3], [0x30, 4]], privateKeys: [StoredSecret([7]), StoredSecret([6])])
        let kept = try await mount.createCAMaterial(late)
        XCTAssertEqual(kept, ca)
        let after = try await mount.caMaterial()
        XCTAssertEqual(after, ca)
    }

    func checkScopesRolesCredentials() async throws {
        let store = try await makeStore()
        let mount = store.mountStore(mountID: "mountAAA")
        let scope = ScopeRecord(name: "finance")
        XCTAssertTrue(Identifiers.isBase62(scope.id, count: 5))
        try await mount.insertScope(scope)
        try await mount.insertScope(ScopeRecord(name: "hr"))
        await assertStoreError(.illegalOperation) { try await mount.insertScope(ScopeRecord(name: "finance")) }
        await assertStoreError(.illegalOperation) { try await mount.insertScope(ScopeRecord(name: "other", id: scope.id)) }
        let names = try await mount.scopes().map(\.name)
        XCTAssertEqual(names, ["finance", "hr"])
        let byName = try await mount.scope(named: "finance")
        XCTAssertEqual(byName, scope)
        let byID = try await mount.scope(id: scope.id)
        XCTAssertEqual(byID, scope)

        let role = RoleRecord(scopeID: scope.id, name: "reader", operations: [.get, .locate], tlsClientKeyType: "rsa",
                              tlsClientKeyBits: 2048, tlsClientTTL: 3600)
        try await mount.putRole(role)
        var fetched = try await mount.role(scopeID: scope.id, name: "reader")
        XCTAssertEqual(fetched, role)
        XCTAssertEqual(fetched?.allows(.get), true)
        XCTAssertEqual(fetched?.allows(.create), false)
        fetched = try await mount.role(scopeID: scope.id, id: role.id)
        XCTAssertEqual(fetched, role)

        // An update replaces the whole role but keeps its id.
        let replacement = RoleRecord(scopeID: scope.id, name: "reader", allowsAllOperations: true)
        try await mount.putRole(replacement)
        fetched = try await mount.role(scopeID: scope.id, name: "reader")
        XCTAssertEqual(fetched?.id, role.id)
        XCTAssertEqual(fetched?.allowsAllOperations, true)
        XCTAssertEqual(fetched?.operations, [])
        XCTAssertNil(fetched?.tlsClientKeyType)
        XCTAssertEqual(fetched?.allows(.destroy), true)
        await assertStoreError(.itemNotFound) { try await mount.putRole(RoleRecord(scopeID: "nope1", name: "x")) }
        try await mount.putRole(RoleRecord(scopeID: scope.id, name: "admin", allowsAllOperations: true))
        let roleNames = try await mount.roles(scopeID: scope.id).map(\.name)
        XCTAssertEqual(roleNames, ["admin", "reader"])

        let cred = CredentialRecord(serialNumber: "123456789012345678901234567890", scopeID: scope.id, roleName: "reader",
                                    certificateDER: [0x30, 0x82], expiresAt: DateTime(secondsSince1970: 1_900_000_000))
        try await mount.addCredential(cred)
        await assertStoreError(.illegalOperation) { try await mount.addCredential(cred) }
        var orphan = cred
        orphan.serialNumber = "1"
        orphan.roleName = "ghost"
        await assertStoreError(.itemNotFound) { try await mount.addCredential(orphan) }
        let listed = try await mount.credentials(scopeID: scope.id, roleName: "reader")
        XCTAssertEqual(listed, [cred])
        let looked = try await mount.credential(serialNumber: cred.serialNumber)
        XCTAssertEqual(looked, cred)
        try await mount.deleteCredential(serialNumber: cred.serialNumber)
        let revoked = try await mount.credential(serialNumber: cred.serialNumber)
        XCTAssertNil(revoked)
        await assertStoreError(.itemNotFound) { try await mount.deleteCredential(serialNumber: cred.serialNumber) }

        // Deleting a role removes its credentials.
        try await mount.addCredential(cred)
        try await mount.deleteRole(scopeID: scope.id, name: "reader")
        let afterRoleDelete = try await mount.credential(serialNumber: cred.serialNumber)
        XCTAssertNil(afterRoleDelete)
        await assertStoreError(.itemNotFound) { try await mount.deleteRole(scopeID: scope.id, name: "reader") }
    }

    func checkDeleteScopeNeedsForceWhenItHoldsObjects() async throws {
        let store = try await makeStore()
        let mount = store.mountStore(mountID: "mountAAA")
        let empty = ScopeRecord(name: "empty")
        let full = ScopeRecord(name: "full")
        let kept = ScopeRecord(name: "kept")
        for s in [empty, full, kept] { try await mount.insertScope(s) }
        try await mount.deleteScope(named: "empty", force: false)
        let emptyGone = try await mount.scope(named: "empty")
        XCTAssertNil(emptyGone)
        await assertStoreError(.itemNotFound) { try await mount.deleteScope(named: "empty", force: true) }

        try await mount.putRole(RoleRecord(scopeID: full.id, name: "r", allowsAllOperations: true))
        try await mount.addCredential(CredentialRecord(serialNumber: "42", scopeID: full.id, roleName: "r",
                                                       certificateDER: [1], expiresAt: DateTime(secondsSince1970: 0)))
        let inFull = Self.object(scope: full.id, names: ["n"])
        let inKept = Self.object(scope: kept.id, names: ["n"])
        try await store.insert(inFull)
        try await store.insert(inKept)
        try await mount.putRole(RoleRecord(scopeID: kept.id, name: "r"))

        await assertStoreError(.illegalOperation) { try await mount.deleteScope(named: "full", force: false) }
        let stillThere = try await store.object(scopeID: full.id, uniqueIdentifier: inFull.uniqueIdentifier)
        XCTAssertNotNil(stillThere)

        try await mount.deleteScope(named: "full", force: true)
        let fullGone = try await mount.scope(named: "full")
        XCTAssertNil(fullGone)
        let objectGone = try await store.object(scopeID: full.id, uniqueIdentifier: inFull.uniqueIdentifier)
        XCTAssertNil(objectGone)
        let located = try await store.locate(scopeID: full.id, ObjectQuery(name: "n"))
        XCTAssertEqual(located, [])
        let roles = try await mount.roles(scopeID: full.id)
        XCTAssertEqual(roles, [])
        let cred = try await mount.credential(serialNumber: "42")
        XCTAssertNil(cred)
        // The other scope is untouched.
        let keptObject = try await store.object(scopeID: kept.id, uniqueIdentifier: inKept.uniqueIdentifier)
        XCTAssertEqual(keptObject, inKept)
        let keptRoles = try await mount.roles(scopeID: kept.id).map(\.name)
        XCTAssertEqual(keptRoles, ["r"])
    }

    func checkConcurrentInsertsAllLand() async throws {
        let store = try await makeStore()
        let count = 300
        let objects = (0..<count).map { i in Self.object(date: Int64(i), names: ["bulk"]) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for o in objects { group.addTask { try await store.insert(o) } }
            try await group.waitForAll()
        }
        let located = try await store.locate(scopeID: "scopA", ObjectQuery(name: "bulk"))
        XCTAssertEqual(located, objects.reversed().map(\.uniqueIdentifier))
        for o in objects.prefix(20) {
            let fetched = try await store.object(scopeID: "scopA", uniqueIdentifier: o.uniqueIdentifier)
            XCTAssertEqual(fetched, o)
        }
    }
}

final class InMemoryStoreConformanceTests: StoreConformanceTests {
    override func makeStore() async throws -> any Store { InMemoryStore() }
    // The suite's checks are not tests of the base class; each backend runs every one of them.
    func testObjectCRUD() async throws { try await checkObjectCRUD() }
    func testObjectWithoutKeyMaterial() async throws { try await checkObjectWithoutKeyMaterial() }
    func testScopeIsolation() async throws { try await checkScopeIsolation() }
    func testLocateByNameNewestFirst() async throws { try await checkLocateByNameNewestFirst() }
    func testLocateByAttributes() async throws { try await checkLocateByAttributes() }
    func testLocateOffsetAndMaximum() async throws { try await checkLocateOffsetAndMaximum() }
    func testLocateCanLeaveOutDestroyedObjects() async throws { try await checkLocateCanLeaveOutDestroyedObjects() }
    func testLocateByUnindexedAttributes() async throws { try await checkLocateByUnindexedAttributes() }
    func testLocateByStateFollowsPassedDates() async throws { try await checkLocateByStateFollowsPassedDates() }
    func testLocateByDateRanges() async throws { try await checkLocateByDateRanges() }
    func testLocateByUsageMask() async throws { try await checkLocateByUsageMask() }
    func testLocateByAttributeValues() async throws { try await checkLocateByAttributeValues() }
    func testLocateByStorageStatus() async throws { try await checkLocateByStorageStatus() }
    func testCountIgnoresOffsetAndMaximum() async throws { try await checkCountIgnoresOffsetAndMaximum() }
    func testConfigAndCAMaterial() async throws { try await checkConfigAndCAMaterial() }
    func testScopesRolesCredentials() async throws { try await checkScopesRolesCredentials() }
    func testDeleteScopeNeedsForceWhenItHoldsObjects() async throws { try await checkDeleteScopeNeedsForceWhenItHoldsObjects() }
    func testConcurrentInsertsAllLand() async throws { try await checkConcurrentInsertsAllLand() }
}

final class SQLiteStoreConformanceTests: StoreConformanceTests {
    var directory: URL!
    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmipstore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }
    override func makeStore() async throws -> any Store {
        try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path, keyring: .random())
    }
    // The suite's checks are not tests of the base class; each backend runs every one of them.
    func testObjectCRUD() async throws { try await checkObjectCRUD() }
    func testObjectWithoutKeyMaterial() async throws { try await checkObjectWithoutKeyMaterial() }
    func testScopeIsolation() async throws { try await checkScopeIsolation() }
    func testLocateByNameNewestFirst() async throws { try await checkLocateByNameNewestFirst() }
    func testLocateByAttributes() async throws { try await checkLocateByAttributes() }
    func testLocateOffsetAndMaximum() async throws { try await checkLocateOffsetAndMaximum() }
    func testLocateCanLeaveOutDestroyedObjects() async throws { try await checkLocateCanLeaveOutDestroyedObjects() }
    func testLocateByUnindexedAttributes() async throws { try await checkLocateByUnindexedAttributes() }
    func testLocateByStateFollowsPassedDates() async throws { try await checkLocateByStateFollowsPassedDates() }
    func testLocateByDateRanges() async throws { try await checkLocateByDateRanges() }
    func testLocateByUsageMask() async throws { try await checkLocateByUsageMask() }
    func testLocateByAttributeValues() async throws { try await checkLocateByAttributeValues() }
    func testLocateByStorageStatus() async throws { try await checkLocateByStorageStatus() }
    func testCountIgnoresOffsetAndMaximum() async throws { try await checkCountIgnoresOffsetAndMaximum() }
    func testConfigAndCAMaterial() async throws { try await checkConfigAndCAMaterial() }
    func testScopesRolesCredentials() async throws { try await checkScopesRolesCredentials() }
    func testDeleteScopeNeedsForceWhenItHoldsObjects() async throws { try await checkDeleteScopeNeedsForceWhenItHoldsObjects() }
    func testConcurrentInsertsAllLand() async throws { try await checkConcurrentInsertsAllLand() }
}

func assertStoreError(_ reason: ResultReason, file: StaticString = #filePath, line: UInt = #line,
                      _ body: () async throws -> Void) async {
    do {
        try await body()
        XCTFail("expected a StoreError (\(reason))", file: file, line: line)
    } catch let e as StoreError {
        XCTAssertEqual(e.reason, reason, e.message, file: file, line: line)
    } catch {
        XCTFail("expected a StoreError, got \(error)", file: file, line: line)
    }
}

/// The same suite on PostgreSQL (`scripts/test` starts a server; skipped loudly without one).
final class PostgresStoreConformanceTests: StoreConformanceTests {
    let databases = PostgresTestDatabases()
    override func makeStore() async throws -> any Store { try await databases.openStore() }
    override func tearDown() async throws { try await databases.dropAll() }
    func testObjectCRUD() async throws { try await checkObjectCRUD() }
    func testObjectWithoutKeyMaterial() async throws { try await checkObjectWithoutKeyMaterial() }
    func testScopeIsolation() async throws { try await checkScopeIsolation() }
    func testLocateByNameNewestFirst() async throws { try await checkLocateByNameNewestFirst() }
    func testLocateByAttributes() async throws { try await checkLocateByAttributes() }
    func testLocateOffsetAndMaximum() async throws { try await checkLocateOffsetAndMaximum() }
    func testLocateCanLeaveOutDestroyedObjects() async throws { try await checkLocateCanLeaveOutDestroyedObjects() }
    func testLocateByUnindexedAttributes() async throws { try await checkLocateByUnindexedAttributes() }
    func testLocateByStateFollowsPassedDates() async throws { try await checkLocateByStateFollowsPassedDates() }
    func testLocateByDateRanges() async throws { try await checkLocateByDateRanges() }
    func testLocateByUsageMask() async throws { try await checkLocateByUsageMask() }
    func testLocateByAttributeValues() async throws { try await checkLocateByAttributeValues() }
    func testLocateByStorageStatus() async throws { try await checkLocateByStorageStatus() }
    func testCountIgnoresOffsetAndMaximum() async throws { try await checkCountIgnoresOffsetAndMaximum() }
    func testConfigAndCAMaterial() async throws { try await checkConfigAndCAMaterial() }
    func testScopesRolesCredentials() async throws { try await checkScopesRolesCredentials() }
    func testDeleteScopeNeedsForceWhenItHoldsObjects() async throws { try await checkDeleteScopeNeedsForceWhenItHoldsObjects() }
    func testConcurrentInsertsAllLand() async throws { try await checkConcurrentInsertsAllLand() }
}

/// Databases made for one test case, each on the test server, dropped with their stores.
final class PostgresTestDatabases: @unchecked Sendable {
    private(set) var admin: String?
    private var made: [String] = []
    private var stores: [PostgresStore] = []

    /// A new empty database's URL; skips the test when no server runs.
    func makeDatabase() async throws -> String {
        guard let admin = TestPostgres.adminURL else { throw XCTSkip("no PostgreSQL test server (\(TestPostgres.urlVariable))") }
        self.admin = admin
        let url = try await TestPostgres.makeDatabase(admin: admin)
        made.append(url)
        return url
    }

    /// A store on `url` (a new database when nil), closed by ``dropAll()``.
    func openStore(url: String? = nil, keyring: Keyring = .random(), maxConnections: Int = 8) async throws -> PostgresStore {
        let target: String
        if let url { target = url } else { target = try await makeDatabase() }
        let store = try await PostgresStore.open(.init(connectionURL: target, maxConnections: maxConnections), keyring: keyring)
        stores.append(store)
        return store
    }

    func dropAll() async throws {
        for store in stores { try? await store.close() }
        stores = []
        if let admin { for url in made { try await TestPostgres.dropDatabase(admin: admin, url: url) } }
        made = []
    }
}
