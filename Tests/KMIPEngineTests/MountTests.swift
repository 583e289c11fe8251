import Foundation
import KMIP
import KMIPPKI
import KMIPStore
import KMIPTestSupport
import XCTest
@testable import KMIPEngine

/// A clock tests move by hand.
final class MountTestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date = Date()) { current = start }
    var now: Date { lock.lock(); defer { lock.unlock() }; return current }
    func advance(_ seconds: TimeInterval) { lock.lock(); current += seconds; lock.unlock() }
}

enum MountTestSupport {
    static func der(_ pem: String) -> [UInt8] { MountPEM.derBlocks(pem).first ?? [] }

    /// Runs `openssl` with `arguments`, feeding `input`; returns stdout.
    @discardableResult
    static func openssl(_ arguments: [String], input: String? = nil) throws -> String {
        do { return try OpenSSLTool.run(arguments, input: input) } catch OpenSSLTool.Failure.notInstalled {
            throw XCTSkip("openssl not found")
        }
    }

    /// A CSR PEM with a fresh key (`-newkey` argument, e.g. `ec:` params or `rsa:2048`).
    static func csr(ecCurve: String? = nil, rsaBits: Int? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mount-csr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyPath = dir.appendingPathComponent("key.pem").path
        if let ecCurve {
            try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(ecCurve)", "-out", keyPath])
        } else {
            try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(rsaBits ?? 2048)", "-out", keyPath])
        }
        return try openssl(["req", "-new", "-key", keyPath, "-subj", "/CN=EKM/O=NetApp/OU=SolidFire"])
    }
}

final class MountConfigTests: XCTestCase {
    func testDefaultsAreSpecSection4() throws {
        let c = MountConfig()
        XCTAssertEqual(c.listenAddrs, ["127.0.0.1:5696"])
        XCTAssertEqual(c.connectionTimeout, 1)
        XCTAssertEqual(c.serverHostnames, ["localhost"])
        XCTAssertEqual(c.serverIPs, [])
        XCTAssertEqual(c.tlsCAKeyType, .ec)
        XCTAssertEqual(c.tlsCAKeyBits, 256)
        XCTAssertEqual(c.tlsMinVersion, .tls12)
        XCTAssertEqual(c.defaultTLSClientKeyType, .ec)
        XCTAssertEqual(c.defaultTLSClientKeyBits, 256)
        XCTAssertEqual(c.defaultTLSClientTTL, 336 * 3600)
        XCTAssertNoThrow(try c.validate())
        // An empty stored object reads back as the defaults.
        XCTAssertEqual(try MountConfig(stored: ConfigRecord(json: "{}")), c)
    }

    func testTypedUpdateAndStoredForm() throws {
        let update = MountConfigUpdate(
            listenAddrs: ["0.0.0.0:5696", "[::1]:5697", "10.0.0.1", "::2"], connectionTimeout: 5,
            serverHostnames: ["kmip.example.com", " localhost "], serverIPs: ["10.0.0.1"], tlsCAKeyType: "rsa",
            tlsCAKeyBits: 2048, tlsMinVersion: "tls13", defaultTLSClientKeyType: "EC", defaultTLSClientKeyBits: 384,
            defaultTLSClientTTL: 86400)
        let c = try MountConfig().applying(update)
        XCTAssertEqual(c.listenAddrs, ["0.0.0.0:5696", "[::1]:5697", "10.0.0.1:5696", "[::2]:5696"])
        XCTAssertEqual(c.connectionTimeout, 5)
        XCTAssertEqual(c.serverHostnames, ["kmip.example.com", "localhost"])
        XCTAssertEqual(c.serverIPs, ["10.0.0.1"])
        XCTAssertEqual(c.tlsCAKeyType, .rsa)
        XCTAssertEqual(c.tlsCAKeyBits, 2048)
        XCTAssertEqual(c.tlsMinVersion, .tls13)
        XCTAssertEqual(c.defaultTLSClientKeyType, .ec)
        XCTAssertEqual(c.defaultTLSClientKeyBits, 384)
        XCTAssertEqual(c.defaultTLSClientTTL, 86400)
        // The stored form has its own keys and a format number, not the API's field names.
        let record = c.record
        XCTAssertTrue(record.json.contains(#""format":1"#), record.json)
        XCTAssertTrue(record.json.contains(#""clientCertificateTTLSeconds":86400"#), record.json)
        XCTAssertFalse(record.json.contains("default_tls_client_ttl"), record.json)
        XCTAssertEqual(try MountConfig(stored: record), c)
        // A format this server does not know is refused, not read as defaults.
        XCTAssertThrowsError(try MountConfig(stored: ConfigRecord(json: #"{"format":2}"#)))
        XCTAssertThrowsError(try MountConfig(stored: ConfigRecord(json: "[]")))
    }

    func testClientCompatibilityOptionsAreCheckedAndStored() throws {
        XCTAssertEqual(MountConfig().compatibility, ClientCompatibility(), "defaults: the OASIS cases' shapes")
        XCTAssertEqual(MountConfig().compatibility.omittedFromAllAttributes, ["Random Number Generator"])
        let c = try MountConfig().applying(MountConfigUpdate(
            explicitAttributeIndex: true, wrappedKeyValue: " Structure ",
            omitFromAllAttributes: ["Random Number Generator", " Original Creation Date", ""]))
        XCTAssertTrue(c.compatibility.explicitAttributeIndex)
        XCTAssertEqual(c.compatibility.wrappedKeyValue, .structure)
        XCTAssertEqual(c.compatibility.omittedFromAllAttributes, ["Random Number Generator", "Original Creation Date"])
        XCTAssertEqual(try MountConfig(stored: c.record), c)
        // A record written before these options existed reads with their defaults.
        XCTAssertEqual(try MountConfig(stored: ConfigRecord(json: #"{"format":1}"#)).compatibility, ClientCompatibility())
        XCTAssertThrowsError(try MountConfig().applying(MountConfigUpdate(wrappedKeyValue: "json")))
        XCTAssertThrowsError(try MountConfig().applying(MountConfigUpdate(omitFromAllAttributes: ["Colour"])))
    }

    /// Format 0 (the API's field map, as servers before format 1 stored it) reads as the same config.
    func testLegacyStoredFormReads() throws {
        let legacy = ConfigRecord(json: #"{"connection_timeout":5,"default_tls_client_key_bits":384,"#
            + #""default_tls_client_key_type":"ec","default_tls_client_ttl":86400,"listen_addrs":["0.0.0.0:5696"],"#
            + #""server_hostnames":["kmip.example.com"],"server_ips":["10.0.0.1"],"tls_ca_key_bits":2048,"#
            + #""tls_ca_key_type":"rsa","tls_min_version":"tls13"}"#)
        let c = try MountConfig(stored: legacy)
        XCTAssertEqual(c, try MountConfig().applying(MountConfigUpdate(
            listenAddrs: ["0.0.0.0:5696"], connectionTimeout: 5, serverHostnames: ["kmip.example.com"],
            serverIPs: ["10.0.0.1"], tlsCAKeyType: "rsa", tlsCAKeyBits: 2048, tlsMinVersion: "tls13",
            defaultTLSClientKeyType: "ec", defaultTLSClientKeyBits: 384, defaultTLSClientTTL: 86400)))
        XCTAssertEqual(try MountConfig(stored: ConfigRecord(json: #"{"listen_addrs":["127.0.0.1:5697"]}"#)).listenAddrs,
                       ["127.0.0.1:5697"])
    }

    /// Another node stores its CA between this mount's "no CA yet" and its own insert: the mount
    /// serves the CA the store kept, not the one it generated.
    func testAFirstConfigWriteThatLosesTheCARaceUsesTheStoredCA() async throws {
        let backing = InMemoryStore().mountStore(mountID: "mountAAA")
        let otherNode = KMIPMount(store: InMemoryStore().mountStore(mountID: "mountAAA"))
        try await otherNode.configure(MountConfigUpdate())
        let winner = try await otherNode.ca()
        let store = CARaceStore(backing, storedFirst: CAMaterial(
            certificatesDER: [try winner.rootCertificateDER(), try winner.intermediateCertificateDER()],
            privateKeys: [StoredSecret(try winner.exportRootKeyPKCS8()), StoredSecret(try winner.exportIntermediateKeyPKCS8())]))
        let mount = KMIPMount(store: store)
        try await mount.configure(MountConfigUpdate())
        let served = try await mount.caChainPEM()
        XCTAssertEqual(served, winner.caChainPEM)
        let stored = try await backing.caMaterial()
        XCTAssertEqual(stored?.certificatesDER, [try winner.rootCertificateDER(), try winner.intermediateCertificateDER()])
    }

    /// A revocation that lands while a lookup of the same serial is in flight: that lookup's
    /// (older) answer is not cached, so the next check sees the revocation at once.
    func testALookupThatRacedARevocationIsNotCached() async throws {
        let backing = InMemoryStore().mountStore(mountID: "mountAAA")
        let store = CARaceStore(backing, storedFirst: nil)
        let mount = KMIPMount(store: store)
        try await mount.configure(MountConfigUpdate())
        try await mount.createScope("s")
        try await mount.putRole(scope: "s", name: "r", .all)
        let c = try await mount.generateCredential(scope: "s", role: "r")
        store.duringCredentialLookup = { [directory = mount.directory] in directory.invalidate(serial: c.serialNumber) }
        let inFlight = try await mount.directory.listing(serial: c.serialNumber)
        XCTAssertNotNil(inFlight, "the lookup itself answers what it read")
        store.duringCredentialLookup = nil
        try await backing.deleteCredential(serialNumber: c.serialNumber)   // revoked elsewhere meanwhile
        let next = try await mount.directory.listing(serial: c.serialNumber)
        XCTAssertNil(next, "the raced answer was cached: a revoked credential would pass for up to the TTL")
    }

    /// The mount reads a format-0 record as it is and stores the current format on its next write.
    func testMountMigratesALegacyRecord() async throws {
        let store = InMemoryStore().mountStore(mountID: "mountAAA")
        let legacy = ConfigRecord(json: #"{"connection_timeout":7,"listen_addrs":["127.0.0.1:5699"]}"#)
        try await store.setConfig(legacy)
        let mount = KMIPMount(store: store)
        let config = try await mount.config()
        XCTAssertEqual(config?.connectionTimeout, 7)
        XCTAssertEqual(config?.listenAddrs, ["127.0.0.1:5699"])
        // Reads never write: the record stays format 0 until the next config write.
        let afterRead = try await store.config()
        XCTAssertEqual(afterRead, legacy)
        // A write keeps the legacy values and stores format 1.
        try await mount.configure(MountConfigUpdate(serverHostnames: ["kmip.example.com"]))
        let stored = try await store.config()
        let written = try XCTUnwrap(stored)
        XCTAssertTrue(written.json.contains(#""format":1"#), written.json)
        let readBack = try await mount.config()
        let reread = try XCTUnwrap(readBack)
        XCTAssertEqual(reread.connectionTimeout, 7)
        XCTAssertEqual(reread.listenAddrs, ["127.0.0.1:5699"])
        XCTAssertEqual(reread.serverHostnames, ["kmip.example.com"])
    }

    func testValidationErrors() throws {
        func expectInvalid(_ update: MountConfigUpdate, mentioning text: String, line: UInt = #line) {
            XCTAssertThrowsError(try MountConfig().applying(update), line: line) { error in
                guard let e = error as? MountError else { return XCTFail("\(error)", line: line) }
                XCTAssertEqual(e.kind, .invalid, line: line)
                XCTAssertTrue(e.message.contains(text), "\(e.message)", line: line)
            }
        }
        expectInvalid(MountConfigUpdate(tlsMinVersion: "tls11"), mentioning: "tls_min_version")
        expectInvalid(MountConfigUpdate(tlsMinVersion: "ssl3"), mentioning: "tls12")
        expectInvalid(MountConfigUpdate(tlsCAKeyType: "dsa"), mentioning: "tls_ca_key_type")
        expectInvalid(MountConfigUpdate(tlsCAKeyBits: 1024), mentioning: "256, 384, 521")
        expectInvalid(MountConfigUpdate(tlsCAKeyType: "rsa"), mentioning: "2048")   // rsa with the default 256 bits
        expectInvalid(MountConfigUpdate(tlsCAKeyBits: 224), mentioning: "224")
        expectInvalid(MountConfigUpdate(defaultTLSClientKeyType: "rsa", defaultTLSClientKeyBits: 1000),
                      mentioning: "default_tls_client_key")
        // Vault 2.0: an empty list turns the legacy listener off (named listeners may replace it).
        XCTAssertEqual(try MountConfig().applying(MountConfigUpdate(listenAddrs: [])).listenAddrs, [])
        expectInvalid(MountConfigUpdate(listenAddrs: ["127.0.0.1:99999"]), mentioning: "listen_addrs")
        expectInvalid(MountConfigUpdate(listenAddrs: ["host name:1"]), mentioning: "listen_addrs")
        expectInvalid(MountConfigUpdate(serverHostnames: [" "]), mentioning: "server_hostnames")
        expectInvalid(MountConfigUpdate(serverIPs: ["10.0.0.300"]), mentioning: "server_ips")
        expectInvalid(MountConfigUpdate(connectionTimeout: 0), mentioning: "connection_timeout")
        expectInvalid(MountConfigUpdate(defaultTLSClientTTL: 0), mentioning: "default_tls_client_ttl")
        // Valid pairs pass.
        XCTAssertNoThrow(try MountConfig().applying(MountConfigUpdate(tlsCAKeyType: "rsa", tlsCAKeyBits: 4096)))
        XCTAssertNoThrow(try MountConfig().applying(MountConfigUpdate(tlsCAKeyBits: 521)))
    }

    func testRoleDefinitionExclusivity() throws {
        XCTAssertThrowsError(try RoleDefinition(operationAll: true, operations: [.get]).validate()) {
            XCTAssertTrue(($0 as? MountError)?.message.contains("operation_all") ?? false)
        }
        XCTAssertThrowsError(try RoleDefinition(operationNone: true, operations: [.locate]).validate())
        XCTAssertThrowsError(try RoleDefinition(operationAll: true, operationNone: true).validate())
        XCTAssertNoThrow(try RoleDefinition(operationAll: true).validate())
        XCTAssertThrowsError(try RoleDefinition(tlsClientKeyType: "dsa").validate())
        XCTAssertThrowsError(try RoleDefinition(tlsClientTTL: -1).validate())
        XCTAssertEqual(RoleOperationFlags.flags.count, 26)
        XCTAssertEqual(Set(RoleOperationFlags.flags.map(\.operation)).count, 26)
    }
}

final class MountTests: XCTestCase {
    var clock = MountTestClock()

    func makeMount(_ store: any SystemStore) -> KMIPMount { makeMount(store.mountStore(mountID: "mountAAA")) }

    func makeMount(_ store: any MountStore = InMemoryStore().mountStore(mountID: "mountAAA")) -> KMIPMount {
        let clock = self.clock
        return KMIPMount(store: store, now: { clock.now })
    }

    func configured(_ update: MountConfigUpdate = MountConfigUpdate()) async throws -> KMIPMount {
        let mount = makeMount()
        try await mount.configure(update)
        return mount
    }

    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mount-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    // MARK: Config and CA

    func testCANeedsConfig() async throws {
        let mount = makeMount()
        let config = try await mount.config()
        XCTAssertNil(config)
        do { _ = try await mount.ca(); XCTFail("no CA before the first config write") } catch let e as MountError {
            XCTAssertEqual(e.kind, .notConfigured)
        }
        do { _ = try await mount.serverCredential(); XCTFail() } catch let e as MountError { XCTAssertEqual(e.kind, .notConfigured) }
    }

    func testCAGeneratedOnceAndReloadedIdenticallyFromSQLite() async throws {
        let dir = try temporaryDirectory()
        let keyring = try Keyring.load(keyFile: dir.appendingPathComponent("root.key").path, createIfMissing: true)
        let dbPath = dir.appendingPathComponent("strongroom.db").path
        let store = try SQLiteStore(path: dbPath, keyring: keyring)
        let first = makeMount(store)
        let written = try await first.configure(MountConfigUpdate(listenAddrs: ["127.0.0.1:0"], tlsCAKeyBits: 384))
        XCTAssertEqual(written.tlsCAKeyBits, 384)
        let ca = try await first.ca()
        XCTAssertEqual(ca.keySpec, try KeySpec(type: .ec, bits: 384))
        XCTAssertTrue(ca.rootPEM.contains("BEGIN CERTIFICATE"))
        // A second write keeps the CA.
        try await first.configure(MountConfigUpdate(serverHostnames: ["kmip.example"]))
        let again = try await first.ca()
        XCTAssertEqual(try again.rootCertificateDER(), try ca.rootCertificateDER())
        // The private keys are sealed at rest: the raw table never holds the PKCS#8 bytes.
        let rootKey = try ca.exportRootKeyPKCS8()
        let rawDB = try Data(contentsOf: URL(fileURLWithPath: dbPath))
        XCTAssertNil(rawDB.range(of: Data(rootKey)))
        try store.close()

        // Reopen: same CA, same keys, same config.
        let reopened = try SQLiteStore(path: dbPath, keyring: keyring)
        let second = makeMount(reopened)
        let reloaded = try await second.ca()
        XCTAssertEqual(try reloaded.rootCertificateDER(), try ca.rootCertificateDER())
        XCTAssertEqual(try reloaded.intermediateCertificateDER(), try ca.intermediateCertificateDER())
        XCTAssertEqual(try reloaded.exportRootKeyPKCS8(), rootKey)
        XCTAssertEqual(try reloaded.exportIntermediateKeyPKCS8(), try ca.exportIntermediateKeyPKCS8())
        let config = try await second.config()
        XCTAssertEqual(config?.serverHostnames, ["kmip.example"])
        XCTAssertEqual(config?.listenAddrs, ["127.0.0.1:0"])
        // Changing the CA key type afterwards is refused.
        do {
            try await second.configure(MountConfigUpdate(tlsCAKeyBits: 256))
            XCTFail("the CA key cannot change")
        } catch let e as MountError {
            XCTAssertEqual(e.kind, .invalid)
        }
        try reopened.close()
    }

    func testConcurrentFirstWritesInOneProcessGenerateOneCA() async throws {
        let store = InMemoryStore()
        let mounts = (0..<4).map { _ in makeMount(store) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for m in mounts { group.addTask { try await m.configure(MountConfigUpdate()) } }
            try await group.waitForAll()
        }
        // Every mount over the store sees the same CA as a fresh one does (one generation won).
        let reference = try await makeMount(store).ca().rootCertificateDER()
        for m in mounts {
            let der = try await m.ca().rootCertificateDER()
            XCTAssertEqual(der, reference)
        }
    }

    func testServerCredentialSANsAndCache() async throws {
        let mount = try await configured(MountConfigUpdate(serverHostnames: ["kmip.example.com", "localhost"], serverIPs: ["10.1.2.3"]))
        let server = try await mount.serverCredential()
        let text = try MountTestSupport.openssl(["x509", "-noout", "-text"], input: server.certificatePEM)
        XCTAssertTrue(text.contains("Subject: CN = kmip.example.com") || text.contains("Subject: CN=kmip.example.com"), text)
        XCTAssertTrue(text.contains("DNS:kmip.example.com"))
        XCTAssertTrue(text.contains("DNS:localhost"))
        XCTAssertTrue(text.contains("IP Address:10.1.2.3"))
        XCTAssertTrue(text.contains("IP Address:127.0.0.1"))
        XCTAssertTrue(text.contains("IP Address:0:0:0:0:0:0:0:1") || text.contains("IP Address:::1"))
        XCTAssertTrue(text.contains("TLS Web Server Authentication"))
        XCTAssertTrue(server.privateKeyPEM.contains("PRIVATE KEY"))
        // The chain verifies with openssl against the mount's CA.
        let ca = try await mount.ca()
        let dir = try temporaryDirectory()
        let caFile = dir.appendingPathComponent("ca.pem")
        try ca.caChainPEM.write(to: caFile, atomically: true, encoding: .utf8)
        let verified = try MountTestSupport.openssl(["verify", "-CAfile", caFile.path], input: server.certificatePEM)
        XCTAssertTrue(verified.contains("OK"))
        // Cached until the hostnames change.
        let cached = try await mount.serverCredential()
        XCTAssertEqual(cached.certificatePEM, server.certificatePEM)
        try await mount.configure(MountConfigUpdate(connectionTimeout: 3))
        let stillCached = try await mount.serverCredential()
        XCTAssertEqual(stillCached.certificatePEM, server.certificatePEM)
        try await mount.configure(MountConfigUpdate(serverHostnames: ["other.example"]))
        let reissued = try await mount.serverCredential()
        XCTAssertNotEqual(reissued.certificatePEM, server.certificatePEM)
        XCTAssertTrue(try MountTestSupport.openssl(["x509", "-noout", "-subject"], input: reissued.certificatePEM).contains("other.example"))
    }

    // MARK: Scopes and roles

    func testScopeCRUD() async throws {
        let mount = try await configured()
        let a = try await mount.createScope("my-service")
        XCTAssertTrue(Identifiers.isBase62(a.id, count: 5))
        try await mount.createScope("other.scope_1")
        let names = try await mount.scopes().map(\.name)
        XCTAssertEqual(names, ["my-service", "other.scope_1"])
        do { try await mount.createScope("my-service"); XCTFail() } catch let e as MountError { XCTAssertEqual(e.kind, .alreadyExists) }
        for bad in ["", "a/b", "-x", "x-", "a b", "ü"] {
            do { try await mount.createScope(bad); XCTFail(bad) } catch let e as MountError { XCTAssertEqual(e.kind, .invalid) }
        }
        try await mount.deleteScope("other.scope_1")
        let remaining = try await mount.scopes().map(\.name)
        XCTAssertEqual(remaining, ["my-service"])
        do { try await mount.deleteScope("nope"); XCTFail() } catch let e as MountError { XCTAssertEqual(e.kind, .notFound) }
    }

    func testDeleteScopeWithObjectsNeedsForce() async throws {
        let store = InMemoryStore()
        let mount = makeMount(store)
        try await mount.configure(MountConfigUpdate())
        let scope = try await mount.createScope("s")
        try await mount.putRole(scope: "s", name: "r", .all)
        let credential = try await mount.generateCredential(scope: "s", role: "r")
        var object = ManagedObjectRecord.testRecord(scopeID: scope.id)
        object.names = ["k"]
        try await store.insert(object)
        do { try await mount.deleteScope("s"); XCTFail() } catch let e as MountError { XCTAssertEqual(e.kind, .conflict) }
        let kept = try await mount.scope("s")
        XCTAssertNotNil(kept)
        try await mount.deleteScope("s", force: true)
        let gone = try await mount.scope("s")
        XCTAssertNil(gone)
        let unlisted = try await store.mountStore(mountID: "mountAAA").credential(serialNumber: credential.serialNumber)
        XCTAssertNil(unlisted)
        do {
            _ = try await mount.authenticate(leafDER: MountTestSupport.der(credential.certificatePEM), chainDER: [])
            XCTFail("a deleted scope's credential must not authenticate")
        } catch {}
    }

    func testRoleCRUDAndOverrides() async throws {
        let mount = try await configured()
        try await mount.createScope("s")
        do { try await mount.putRole(scope: "nope", name: "r", .all); XCTFail() } catch let e as MountError { XCTAssertEqual(e.kind, .notFound) }
        let admin = try await mount.putRole(scope: "s", name: "admin", .all)
        XCTAssertTrue(admin.allowsAllOperations)
        XCTAssertTrue(admin.allows(.destroy))
        XCTAssertTrue(Identifiers.isBase62(admin.id, count: 5))
        XCTAssertNil(admin.tlsClientKeyBits)
        XCTAssertNil(admin.tlsClientTTL)

        // Update replaces the set (the pseudo-op goes) and keeps the id.
        let updated = try await mount.putRole(scope: "s", name: "admin",
                                              RoleDefinition(operations: [.get, .locate], tlsClientKeyType: "rsa", tlsClientTTL: 3600))
        XCTAssertEqual(updated.id, admin.id)
        XCTAssertFalse(updated.allowsAllOperations)
        XCTAssertEqual(updated.operations, [.get, .locate])
        XCTAssertFalse(updated.allows(.create))
        let config = try await mount.effectiveConfig()
        XCTAssertEqual(try config.clientKeySpec(for: updated), try KeySpec(type: .rsa, bits: 2048))
        XCTAssertEqual(config.clientTTL(for: updated), 3600)
        XCTAssertEqual(try config.clientKeySpec(for: admin), .defaultEC)
        XCTAssertEqual(config.clientTTL(for: admin), 336 * 3600)

        let none = try await mount.putRole(scope: "s", name: "none", RoleDefinition(operationNone: true))
        XCTAssertFalse(none.allows(.get))
        XCTAssertFalse(none.allowsAllOperations)
        XCTAssertTrue(none.operations.isEmpty)

        // Exclusivity and invalid overrides are refused and change nothing.
        do {
            try await mount.putRole(scope: "s", name: "admin", RoleDefinition(operationAll: true, operations: [.get]))
            XCTFail()
        } catch let e as MountError { XCTAssertEqual(e.kind, .invalid) }
        do {
            try await mount.putRole(scope: "s", name: "admin", RoleDefinition(operations: [.get], tlsClientKeyType: "ec", tlsClientKeyBits: 1024))
            XCTFail()
        } catch let e as MountError { XCTAssertEqual(e.kind, .invalid) }
        let unchanged = try await mount.role(scope: "s", name: "admin")
        XCTAssertEqual(unchanged, updated)

        let roleNames = try await mount.roles(scope: "s").map(\.name)
        XCTAssertEqual(roleNames, ["admin", "none"])
        try await mount.deleteRole(scope: "s", name: "none")
        let afterDelete = try await mount.role(scope: "s", name: "none")
        XCTAssertNil(afterDelete)
        do { try await mount.deleteRole(scope: "s", name: "none"); XCTFail() } catch let e as MountError { XCTAssertEqual(e.kind, .notFound) }
        do { _ = try await mount.roles(scope: "nope"); XCTFail() } catch let e as MountError { XCTAssertEqual(e.kind, .notFound) }
    }

    // MARK: Credentials

    func testGenerateListLookupRevoke() async throws {
        let mount = try await configured(MountConfigUpdate(defaultTLSClientTTL: 7200))
        let scope = try await mount.createScope("s")
        let role = try await mount.putRole(scope: "s", name: "r", RoleDefinition(operations: [.get]))
        let c1 = try await mount.generateCredential(scope: "s", role: "r")
        let c2 = try await mount.generateCredential(scope: "s", role: "r")
        XCTAssertNotEqual(c1.serialNumber, c2.serialNumber)
        XCTAssertTrue(c1.privateKeyPEM?.contains("PRIVATE KEY") ?? false)
        XCTAssertFalse("\(c1)".contains("PRIVATE KEY"))
        let chain = try await mount.ca().caChain
        XCTAssertEqual(c1.caChain, chain)
        let subject = try MountTestSupport.openssl(["x509", "-noout", "-subject", "-enddate"], input: c1.certificatePEM)
        XCTAssertTrue(subject.contains("OU = \(scope.id)") || subject.contains("OU=\(scope.id)"), subject)
        XCTAssertTrue(subject.contains("CN = \(role.id)") || subject.contains("CN=\(role.id)"), subject)
        // TTL from the config default.
        let expected = clock.now.addingTimeInterval(7200)
        let listed = try await mount.credentials(scope: "s", role: "r")
        XCTAssertEqual(Set(listed.map(\.serialNumber)), [c1.serialNumber, c2.serialNumber])
        let record = try await mount.credential(scope: "s", role: "r", serialNumber: c1.serialNumber)
        XCTAssertEqual(Int64(expected.timeIntervalSince1970) - record.expiresAt.secondsSince1970, 0, accuracy: 1)
        XCTAssertEqual(record.certificateDER, MountTestSupport.der(c1.certificatePEM))

        try await mount.revokeCredential(serialNumber: c1.serialNumber, scope: "s", role: "r")
        let after = try await mount.credentials(scope: "s", role: "r").map(\.serialNumber)
        XCTAssertEqual(after, [c2.serialNumber])
        do { try await mount.revokeCredential(serialNumber: c1.serialNumber); XCTFail() } catch let e as MountError { XCTAssertEqual(e.kind, .notFound) }
        // Revoke by certificate PEM.
        try await mount.revokeCredential(certificatePEM: c2.certificatePEM, scope: "s", role: "r")
        let none = try await mount.credentials(scope: "s", role: "r")
        XCTAssertTrue(none.isEmpty)
        do { _ = try await mount.generateCredential(scope: "s", role: "missing"); XCTFail() } catch let e as MountError { XCTAssertEqual(e.kind, .notFound) }
    }

    func testRoleOverridesKeyAndTTL() async throws {
        let mount = try await configured()
        try await mount.createScope("s")
        try await mount.putRole(scope: "s", name: "r", RoleDefinition(operationAll: true, tlsClientKeyBits: 384, tlsClientTTL: 600))
        let c = try await mount.generateCredential(scope: "s", role: "r")
        let text = try MountTestSupport.openssl(["x509", "-noout", "-text"], input: c.certificatePEM)
        XCTAssertTrue(text.contains("384 bit") || text.contains("secp384r1"), text)
        let record = try await mount.credential(scope: "s", role: "r", serialNumber: c.serialNumber)
        XCTAssertEqual(Double(record.expiresAt.secondsSince1970), clock.now.timeIntervalSince1970 + 600, accuracy: 1)
    }

    func testSignCSR() async throws {
        let mount = try await configured()
        let scope = try await mount.createScope("s")
        let role = try await mount.putRole(scope: "s", name: "r", .all)
        let csr = try MountTestSupport.csr(ecCurve: "P-256")
        let signed = try await mount.signCSR(scope: "s", role: "r", csrPEM: csr)
        XCTAssertNil(signed.privateKeyPEM)
        let subject = try MountTestSupport.openssl(["x509", "-noout", "-subject"], input: signed.certificatePEM)
        XCTAssertTrue(subject.contains(scope.id) && subject.contains(role.id) && !subject.contains("EKM"), subject)
        let listed = try await mount.credentials(scope: "s", role: "r").map(\.serialNumber)
        XCTAssertEqual(listed, [signed.serialNumber])
        // The signed certificate authenticates.
        let identity = try await mount.authenticate(leafDER: MountTestSupport.der(signed.certificatePEM), chainDER: [])
        XCTAssertEqual(identity.serialNumber, signed.serialNumber)
        // A key that does not match the role is refused; garbage is refused.
        let p384 = try MountTestSupport.csr(ecCurve: "P-384")
        do { _ = try await mount.signCSR(scope: "s", role: "r", csrPEM: p384); XCTFail() } catch let e as MountError {
            XCTAssertEqual(e.kind, .invalid)
            XCTAssertTrue(e.message.contains("ec 256"), e.message)
        }
        do { _ = try await mount.signCSR(scope: "s", role: "r", csrPEM: "not a csr"); XCTFail() } catch let e as MountError {
            XCTAssertEqual(e.kind, .invalid)
        }
        let count = try await mount.credentials(scope: "s", role: "r").count
        XCTAssertEqual(count, 1)
    }

    func testCredentialFormats() async throws {
        let mount = try await configured()
        try await mount.createScope("s")
        try await mount.putRole(scope: "s", name: "r", .all)
        let c = try await mount.generateCredential(scope: "s", role: "r")
        let pem = FormattedCredential(c, format: .pem)
        XCTAssertEqual(pem.certificate, c.certificatePEM)
        let der = FormattedCredential(c, format: .der)
        XCTAssertEqual(Data(base64Encoded: der.certificate).map(Array.init), MountTestSupport.der(c.certificatePEM))
        XCTAssertNotNil(der.privateKey.flatMap { Data(base64Encoded: $0) })
        XCTAssertEqual(der.caChain.count, 2)
        let bundle = FormattedCredential(c, format: .pemBundle)
        XCTAssertEqual(bundle.certificate.components(separatedBy: "BEGIN CERTIFICATE").count - 1, 3)
        // Vault's layout: SEC1 "EC PRIVATE KEY" for EC credentials, first in a bundle.
        XCTAssertTrue(pem.privateKey?.hasPrefix("-----BEGIN EC PRIVATE KEY-----") ?? false, pem.privateKey ?? "")
        XCTAssertTrue(bundle.certificate.hasPrefix("-----BEGIN EC PRIVATE KEY-----"))
        XCTAssertFalse("\(bundle)".contains("PRIVATE KEY"))
        XCTAssertEqual(try CredentialFormat(parsing: nil), .pem)
        XCTAssertThrowsError(try CredentialFormat(parsing: "p12"))
    }

    // MARK: Authentication

    func testAuthenticateAcceptsFreshCredentialAndRefusesRevoked() async throws {
        let mount = try await configured()
        let scope = try await mount.createScope("s")
        let role = try await mount.putRole(scope: "s", name: "r", .all)
        let c = try await mount.generateCredential(scope: "s", role: "r")
        let leaf = MountTestSupport.der(c.certificatePEM)
        let ca = try await mount.ca()
        // With or without the chain presented (and with the leaf repeated in it).
        let identity = try await mount.authenticate(leafDER: leaf, chainDER: [])
        XCTAssertEqual(identity, ClientIdentity(scopeID: scope.id, roleID: role.id, serialNumber: c.serialNumber))
        let withChain = try await mount.authenticate(leafDER: leaf, chainDER: [leaf, try ca.intermediateCertificateDER()])
        XCTAssertEqual(withChain, identity)
        let valid = await mount.isValid(identity)
        XCTAssertTrue(valid)

        try await mount.revokeCredential(serialNumber: c.serialNumber)
        do { _ = try await mount.authenticate(leafDER: leaf, chainDER: []); XCTFail("revoked") } catch let e as PKIError {
            XCTAssertEqual(e.kind, .revoked)
        }
        let stillValid = await mount.isValid(identity)
        XCTAssertFalse(stillValid)
    }

    func testAuthenticateRefusesForeignCA() async throws {
        let mount = try await configured()
        let scope = try await mount.createScope("s")
        let role = try await mount.putRole(scope: "s", name: "r", .all)
        let foreign = try KMIPCA.generate(now: clock.now)
        // Same scope and role ids, and even a serial listed in the store: the chain is what fails.
        let forged = try foreign.issueClientCredential(scopeID: scope.id, roleID: role.id, keySpec: .defaultEC, ttl: 3600, now: clock.now)
        do {
            _ = try await mount.authenticate(leafDER: MountTestSupport.der(forged.certificatePEM),
                                             chainDER: [try foreign.intermediateCertificateDER(), try foreign.rootCertificateDER()])
            XCTFail("foreign CA")
        } catch let e as PKIError {
            XCTAssertEqual(e.kind, .verificationFailed)
        }
        do { _ = try await mount.authenticate(leafDER: [0x30, 0x03, 0x02, 0x01, 0x00], chainDER: []); XCTFail() } catch {}
    }

    func testAuthenticateRefusesExpired() async throws {
        let mount = try await configured()
        try await mount.createScope("s")
        try await mount.putRole(scope: "s", name: "r", RoleDefinition(operationAll: true, tlsClientTTL: 60))
        let c = try await mount.generateCredential(scope: "s", role: "r")
        let leaf = MountTestSupport.der(c.certificatePEM)
        _ = try await mount.authenticate(leafDER: leaf, chainDER: [])
        clock.advance(120)
        do { _ = try await mount.authenticate(leafDER: leaf, chainDER: []); XCTFail("expired") } catch let e as PKIError {
            XCTAssertEqual(e.kind, .verificationFailed)
        }
    }

    func testAuthenticateRefusesDeletedRoleEvenIfRecreated() async throws {
        let mount = try await configured()
        try await mount.createScope("s")
        try await mount.putRole(scope: "s", name: "r", .all)
        let c = try await mount.generateCredential(scope: "s", role: "r")
        let leaf = MountTestSupport.der(c.certificatePEM)
        let identity = try await mount.authenticate(leafDER: leaf, chainDER: [])
        try await mount.deleteRole(scope: "s", name: "r")
        let valid = await mount.isValid(identity)
        XCTAssertFalse(valid)
        do { _ = try await mount.authenticate(leafDER: leaf, chainDER: []); XCTFail("role deleted") } catch {}
        try await mount.putRole(scope: "s", name: "r", .all)   // same name, new id: the old certificate stays dead
        do { _ = try await mount.authenticate(leafDER: leaf, chainDER: []); XCTFail("role recreated") } catch {}
    }

    func testAuthenticateRefusesUnlistedAndMislistedSerials() async throws {
        let store = InMemoryStore()
        let mount = makeMount(store)
        try await mount.configure(MountConfigUpdate())
        let scope = try await mount.createScope("s")
        let reader = try await mount.putRole(scope: "s", name: "reader", RoleDefinition(operations: [.get]))
        let admin = try await mount.putRole(scope: "s", name: "admin", .all)
        let ca = try await mount.ca()
        // Issued by the mount's CA but never listed.
        let unlisted = try ca.issueClientCredential(scopeID: scope.id, roleID: admin.id, keySpec: .defaultEC, ttl: 3600, now: clock.now)
        do { _ = try await mount.authenticate(leafDER: MountTestSupport.der(unlisted.certificatePEM), chainDER: []); XCTFail() } catch let e as PKIError {
            XCTAssertEqual(e.kind, .revoked)
        }
        // Names the admin role but is listed under the reader role: refused.
        let mislisted = try ca.issueClientCredential(scopeID: scope.id, roleID: admin.id, keySpec: .defaultEC, ttl: 3600, now: clock.now)
        try await store.mountStore(mountID: "mountAAA").addCredential(CredentialRecord(
            serialNumber: mislisted.serialNumber, scopeID: scope.id, roleName: reader.name,
            certificateDER: MountTestSupport.der(mislisted.certificatePEM), expiresAt: DateTime(secondsSince1970: 0)))
        do { _ = try await mount.authenticate(leafDER: MountTestSupport.der(mislisted.certificatePEM), chainDER: []); XCTFail() } catch let e as PKIError {
            XCTAssertEqual(e.kind, .revoked)
        }
        let valid = await mount.isValid(ClientIdentity(scopeID: scope.id, roleID: admin.id, serialNumber: mislisted.serialNumber))
        XCTAssertFalse(valid)
    }

    func testRevocationByAnotherNodeSeenWithinCacheTTL() async throws {
        let store = InMemoryStore()
        let nodeA = makeMount(store), nodeB = makeMount(store)
        try await nodeA.configure(MountConfigUpdate())
        try await nodeA.createScope("s")
        try await nodeA.putRole(scope: "s", name: "r", .all)
        let c = try await nodeA.generateCredential(scope: "s", role: "r")
        let identity = try await nodeB.authenticate(leafDER: MountTestSupport.der(c.certificatePEM), chainDER: [])
        try await nodeA.revokeCredential(serialNumber: c.serialNumber)
        clock.advance(CredentialDirectory.ttl + 0.1)
        let valid = await nodeB.isValid(identity)
        XCTAssertFalse(valid)
    }

    func testUnconfiguredMountRefusesEveryone() async throws {
        let mount = makeMount()
        let foreign = try KMIPCA.generate(now: clock.now)
        let c = try foreign.issueClientCredential(scopeID: "aaaaa", roleID: "bbbbb", keySpec: .defaultEC, ttl: 60, now: clock.now)
        do { _ = try await mount.authenticate(leafDER: MountTestSupport.der(c.certificatePEM), chainDER: []); XCTFail() } catch let e as PKIError {
            XCTAssertEqual(e.kind, .notConfigured)
        }
    }
}

extension ManagedObjectRecord {
    static func testRecord(scopeID: String) -> ManagedObjectRecord {
        ManagedObjectRecord(scopeID: scopeID, uniqueIdentifier: Identifiers.uniqueIdentifier(), objectType: .secretData,
                            initialDate: DateTime(secondsSince1970: 1_750_000_000))
    }
}

/// A mount store that answers "no CA" to the first read while another writer's CA is stored just
/// before this one's insert (the race two nodes run on a first config write), and runs
/// `duringCredentialLookup` while a credential is being looked up.
private final class CARaceStore: MountStore, @unchecked Sendable {
    let backing: any MountStore
    let storedFirst: CAMaterial?
    var duringCredentialLookup: (() -> Void)?
    private var raced = false
    init(_ backing: any MountStore, storedFirst: CAMaterial?) { self.backing = backing; self.storedFirst = storedFirst }

    func caMaterial() async throws -> CAMaterial? { raced || storedFirst == nil ? try await backing.caMaterial() : nil }
    func createCAMaterial(_ material: CAMaterial) async throws -> CAMaterial {
        if !raced, let storedFirst { raced = true; _ = try await backing.createCAMaterial(storedFirst) }
        return try await backing.createCAMaterial(material)
    }
    func authorityMaterial(id: String) async throws -> CAMaterial? { try await backing.authorityMaterial(id: id) }
    func addAuthorityMaterial(_ material: CAMaterial, id: String) async throws { try await backing.addAuthorityMaterial(material, id: id) }
    func deleteAuthorityMaterial(id: String) async throws { try await backing.deleteAuthorityMaterial(id: id) }
    func config() async throws -> ConfigRecord? { try await backing.config() }
    func setConfig(_ config: ConfigRecord) async throws { try await backing.setConfig(config) }
    func updateConfig(_ change: @escaping @Sendable (ConfigRecord?) throws -> ConfigRecord) async throws -> ConfigRecord {
        try await backing.updateConfig(change)
    }
    func scopes() async throws -> [ScopeRecord] { try await backing.scopes() }
    func scope(named name: String) async throws -> ScopeRecord? { try await backing.scope(named: name) }
    func scope(id: String) async throws -> ScopeRecord? { try await backing.scope(id: id) }
    func insertScope(_ scope: ScopeRecord) async throws { try await backing.insertScope(scope) }
    func deleteScope(named name: String, force: Bool) async throws { try await backing.deleteScope(named: name, force: force) }
    func roles(scopeID: String) async throws -> [RoleRecord] { try await backing.roles(scopeID: scopeID) }
    func role(scopeID: String, name: String) async throws -> RoleRecord? { try await backing.role(scopeID: scopeID, name: name) }
    func role(scopeID: String, id: String) async throws -> RoleRecord? { try await backing.role(scopeID: scopeID, id: id) }
    func putRole(_ role: RoleRecord) async throws { try await backing.putRole(role) }
    func deleteRole(scopeID: String, name: String) async throws { try await backing.deleteRole(scopeID: scopeID, name: name) }
    func addCredential(_ credential: CredentialRecord) async throws { try await backing.addCredential(credential) }
    func credentials(scopeID: String, roleName: String) async throws -> [CredentialRecord] {
        try await backing.credentials(scopeID: scopeID, roleName: roleName)
    }
    func credential(serialNumber: String) async throws -> CredentialRecord? {
        let record = try await backing.credential(serialNumber: serialNumber)
        duringCredentialLookup?()
        return record
    }
    func deleteCredential(serialNumber: String) async throws { try await backing.deleteCredential(serialNumber: serialNumber) }
}
