import Foundation
import KMIP
import KMIPCrypto
import KMIPPKI
import KMIPStore
import Logging
import XCTest
@testable import KMIPEngine

/// The role contract of the Vault KMIP secrets engine (research §1.5): each of the 26
/// `operation_*` flags, typed as the API types them (`role(_:)` here) and stored by `KMIPMount.putRole`,
/// allows exactly its own KMIP operation; every other one answers Permission Denied.
final class RoleMatrixTests: XCTestCase {

    /// The definition the API makes of these flags (`KMIPRolePath.definition`): a flag given as
    /// false is as if absent.
    func role(_ flags: [String: Bool]) throws -> RoleDefinition {
        var d = RoleDefinition(operationAll: flags[RoleOperationFlags.all] ?? false,
                               operationNone: flags[RoleOperationFlags.none] ?? false)
        for (flag, on) in flags where on && flag != RoleOperationFlags.all && flag != RoleOperationFlags.none {
            d.operations.insert(try XCTUnwrap(RoleOperationFlags.operation(forFlag: flag), flag))
        }
        return d
    }

    // MARK: - The matrix: flag → operation → minimal payload

    /// Written out here from the Vault contract, independently of `RoleOperationFlags.flags`, so a
    /// wrong server mapping shows up as a denied own operation and an allowed foreign one.
    static let matrix: [(flag: String, operation: KMIP.Operation, payload: @Sendable (Fixtures) -> any TTLVCodable)] = [
        ("operation_activate", .activate, { f in var p = ActivateRequestPayload(); p.uniqueIdentifier = f.preActive; return p }),
        ("operation_add_attribute", .addAttribute,
         { f in AddAttributeRequestPayload(f.attributed, Attribute(name: "x-added", value: .textString("a"))) }),
        ("operation_create", .create, { _ in
            var p = CreateRequestPayload()
            p.objectType = .symmetricKey
            p.templateAttribute = TemplateAttribute([Attribute(CryptographicAlgorithm.aes),
                                                     Attribute(name: "Cryptographic Length", value: .integer(128)),
                                                     Attribute(CryptographicUsageMask([.encrypt, .decrypt]))])
            return p
        }),
        ("operation_create_key_pair", .createKeyPair, { _ in
            var p = CreateKeyPairRequestPayload()
            p.commonTemplateAttribute = TemplateAttribute([Attribute(CryptographicAlgorithm.ed25519)])
            p.privateKeyTemplateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.sign]))])
            p.publicKeyTemplateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.verify]))])
            return p
        }),
        ("operation_decrypt", .decrypt, { f in
            var p = DecryptRequestPayload(); p.uniqueIdentifier = f.cipher; p.cryptographicParameters = Fixtures.cbc
            p.data = ByteString(f.ciphertext); p.ivCounterNonce = ByteString(Fixtures.iv); return p
        }),
        ("operation_delete_attribute", .deleteAttribute, { f in DeleteAttributeRequestPayload(f.attributed, "x-delete") }),
        ("operation_destroy", .destroy, { f in var p = DestroyRequestPayload(); p.uniqueIdentifier = f.destroyable; return p }),
        ("operation_discover_versions", .discoverVersions, { _ in DiscoverVersionsRequestPayload() }),
        ("operation_encrypt", .encrypt, { f in Fixtures.encrypt(f.cipher) }),
        ("operation_get", .get, { f in var p = GetRequestPayload(); p.uniqueIdentifier = f.attributed; return p }),
        ("operation_get_attribute_list", .getAttributeList, { f in GetAttributeListRequestPayload(f.attributed) }),
        ("operation_get_attributes", .getAttributes, { f in GetAttributesRequestPayload(f.attributed, ["State"]) }),
        ("operation_import", .import, { _ in
            var p = ImportRequestPayload()
            p.uniqueIdentifier = "imported-\(UUID().uuidString)"
            p.object = .symmetricKey(SymmetricKey(KeyBlock(keyFormatType: .raw, keyMaterial: .byteString(ByteString(Array(repeating: 7, count: 16))),
                                                           cryptographicAlgorithm: .aes, cryptographicLength: 128)))
            p.attributes = [Attribute(CryptographicUsageMask([.encrypt]))]
            return p
        }),
        ("operation_locate", .locate, { _ in LocateRequestPayload([]) }),
        ("operation_mac", .mac, { f in
            var p = MACRequestPayload(); p.uniqueIdentifier = f.hmac; p.data = ByteString(Fixtures.message); return p
        }),
        ("operation_mac_verify", .macVerify, { f in
            var p = MACVerifyRequestPayload()
            p.uniqueIdentifier = f.hmac; p.data = ByteString(Fixtures.message); p.macData = ByteString(f.mac)
            return p
        }),
        ("operation_modify_attribute", .modifyAttribute,
         { f in ModifyAttributeRequestPayload(f.attributed, Attribute(name: "x-modify", value: .textString("new"))) }),
        ("operation_query", .query, { _ in QueryRequestPayload([.queryOperations]) }),
        ("operation_register", .register, { _ in
            var p = RegisterRequestPayload()
            p.objectType = .secretData
            p.object = .secretData(SecretData(.password, KeyBlock(keyFormatType: .opaque, keyMaterial: .byteString(ByteString(Array("pw".utf8))))))
            p.templateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.verify]))])
            return p
        }),
        ("operation_rekey", .reKey, { f in var p = ReKeyRequestPayload(); p.uniqueIdentifier = f.rekeyable; return p }),
        ("operation_rekey_key_pair", .reKeyKeyPair,
         { f in var p = ReKeyKeyPairRequestPayload(); p.privateKeyUniqueIdentifier = f.rekeyablePair; return p }),
        ("operation_revoke", .revoke, { f in
            var p = RevokeRequestPayload(); p.uniqueIdentifier = f.revocable; p.revocationReason = RevocationReason(.cessationOfOperation)
            return p
        }),
        ("operation_rng_retrieve", .rngRetrieve, { _ in var p = RNGRetrieveRequestPayload(); p.dataLength = 16; return p }),
        ("operation_rng_seed", .rngSeed, { _ in var p = RNGSeedRequestPayload(); p.data = ByteString(Array(repeating: 0x5a, count: 32)); return p }),
        ("operation_sign", .sign, { f in
            var p = SignRequestPayload(); p.uniqueIdentifier = f.rsaPrivate; p.cryptographicParameters = Fixtures.pkcs1
            p.data = ByteString(Fixtures.message); return p
        }),
        ("operation_signature_verify", .signatureVerify, { f in
            var p = SignatureVerifyRequestPayload(); p.uniqueIdentifier = f.rsaPublic; p.cryptographicParameters = Fixtures.pkcs1
            p.data = ByteString(Fixtures.message); p.signatureData = ByteString(f.signature); return p
        }),
    ]

    // MARK: - Fixtures

    /// Objects an admin of the same scope prepares, one per operation that consumes one, so that
    /// every payload of the matrix succeeds once even under `operation_all`.
    struct Fixtures: Sendable {
        static let message = Array("sixteen byte msg".utf8)
        static let iv = [UInt8](repeating: 1, count: 16)
        static let cbc: CryptographicParameters = { var p = CryptographicParameters(); p.blockCipherMode = .cbc
                                                    p.paddingMethod = .pkcs5; return p }()
        static let pkcs1: CryptographicParameters = { var p = CryptographicParameters(); p.hashingAlgorithm = .sha256
                                                      p.paddingMethod = .pkcs1V15; return p }()
        static let rsa: AsymmetricKey = try! AsymmetricKey.generateRSA(bits: 2048)

        var preActive = "", destroyable = "", revocable = "", rekeyable = "", attributed = ""
        var cipher = "", ciphertext: [UInt8] = []
        var hmac = "", mac: [UInt8] = []
        var rsaPrivate = "", rsaPublic = "", signature: [UInt8] = []
        var rekeyablePair = ""

        static func prepare(_ h: EngineHarness) async throws -> Fixtures {
            var f = Fixtures()
            f.preActive = try await h.createKey()
            f.destroyable = try await h.createKey()
            f.revocable = try await activated(h, try await h.createKey())
            f.rekeyable = try await activated(h, try await h.createKey())
            f.attributed = try await h.createKey(attributes: [Attribute(name: "x-delete", value: .textString("d")),
                                                              Attribute(name: "x-modify", value: .textString("old"))])
            f.cipher = try await activated(h, try await h.createKey(128))
            let encrypted = try await h.succeed(.encrypt, encrypt(f.cipher), EncryptResponsePayload.self)
            f.ciphertext = try XCTUnwrap(encrypted.data).bytes
            f.hmac = try await register(h, .symmetricKey(SymmetricKey(KeyBlock(
                keyFormatType: .raw, keyMaterial: .byteString(ByteString(Array("Jefe".utf8))), cryptographicAlgorithm: .hmacSHA256,
                cryptographicLength: 32))), usage: [.macGenerate, .macVerify])
            var mac = MACRequestPayload(); mac.uniqueIdentifier = f.hmac; mac.data = ByteString(message)
            let macked = try await h.succeed(.mac, mac, MACResponsePayload.self)
            f.mac = try XCTUnwrap(macked.macData).bytes
            f.rsaPrivate = try await register(h, .privateKey(PrivateKey(KeyBlock(
                keyFormatType: .pkcs8, keyMaterial: .byteString(ByteString(try rsa.pkcs8().bytes)), cryptographicAlgorithm: .rsa,
                cryptographicLength: 2048))), usage: [.sign])
            f.rsaPublic = try await register(h, .publicKey(PublicKey(KeyBlock(
                keyFormatType: .x509, keyMaterial: .byteString(ByteString(try rsa.subjectPublicKeyInfo())), cryptographicAlgorithm: .rsa,
                cryptographicLength: 2048))), usage: [.verify])
            var sign = SignRequestPayload(); sign.uniqueIdentifier = f.rsaPrivate; sign.cryptographicParameters = pkcs1
            sign.data = ByteString(message)
            let signed = try await h.succeed(.sign, sign, SignResponsePayload.self)
            f.signature = try XCTUnwrap(signed.signatureData).bytes
            var pair = CreateKeyPairRequestPayload()
            pair.commonTemplateAttribute = TemplateAttribute([Attribute(CryptographicAlgorithm.ed25519)])
            pair.privateKeyTemplateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.sign]))])
            pair.publicKeyTemplateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.verify]))])
            f.rekeyablePair = try await h.succeed(.createKeyPair, pair, CreateKeyPairResponsePayload.self).privateKeyUniqueIdentifier
            return f
        }

        static func encrypt(_ uid: String) -> EncryptRequestPayload {
            var p = EncryptRequestPayload(); p.uniqueIdentifier = uid; p.cryptographicParameters = cbc
            p.data = ByteString(message); p.ivCounterNonce = ByteString(iv); return p
        }

        private static func activated(_ h: EngineHarness, _ uid: String) async throws -> String {
            var p = ActivateRequestPayload(); p.uniqueIdentifier = uid
            _ = try await h.succeed(.activate, p, ActivateResponsePayload.self)
            return uid
        }

        private static func register(_ h: EngineHarness, _ object: ManagedObject, usage: CryptographicUsageMask) async throws -> String {
            h.clock.advance()
            var p = RegisterRequestPayload()
            p.objectType = object.objectType
            p.object = object
            p.templateAttribute = TemplateAttribute([Attribute(usage)])
            return try await activated(h, try await h.succeed(.register, p, RegisterResponsePayload.self).uniqueIdentifier)
        }
    }

    // MARK: - Helpers

    /// A fresh engine whose "default" scope has an admin client and the fixtures, plus the mount
    /// model over the same store.
    func prepared() async throws -> (EngineHarness, KMIPMount, Fixtures) {
        let h = try await EngineHarness.make()
        let mount = KMIPMount(store: h.mount)
        return (h, mount, try await Fixtures.prepare(h))
    }

    /// Puts the role through the real parsing path and lists a credential for it (as
    /// `EngineHarness.makeClient` does, minus the certificate).
    func roleClient(_ h: EngineHarness, _ mount: KMIPMount, role name: String, _ fields: [String: Bool],
                file: StaticString = #filePath, line: UInt = #line) async throws -> (ClientIdentity, RoleRecord) {
        let role = try await mount.putRole(scope: "default", name: name, try role(fields))
        return (try await credential(h, role), role)
    }

    func credential(_ h: EngineHarness, _ role: RoleRecord) async throws -> ClientIdentity {
        let serial = String(UInt64.random(in: 1...UInt64.max))
        try await h.mount.addCredential(CredentialRecord(serialNumber: serial, scopeID: role.scopeID, roleName: role.name, certificateDER: [],
                                                         expiresAt: DateTime(secondsSince1970: 4_000_000_000)))
        return ClientIdentity(scopeID: role.scopeID, roleID: role.id, serialNumber: serial)
    }

    /// Sends every operation of the matrix, one request each, as `client`: those in `allowed` must
    /// succeed (and so not be Permission Denied), all others must answer exactly Permission Denied.
    func assertMatrix(_ h: EngineHarness, _ f: Fixtures, as client: ClientIdentity, allowed: Set<KMIP.Operation>,
                      _ label: String, file: StaticString = #filePath, line: UInt = #line) async {
        for (flag, operation, payload) in Self.matrix {
            let item = (await h.send([RequestBatchItem(operation: operation, payload: payload(f))], as: client)).batchItems[0]
            let what = "\(label): \(flag) answered \(item.resultStatus) \(item.resultReason.map { "\($0)" } ?? "-") \(item.resultMessage ?? "")"
            XCTAssertEqual(item.operation, operation, what, file: file, line: line)
            if allowed.contains(operation) {
                XCTAssertNotEqual(item.resultReason, .permissionDenied, what, file: file, line: line)
                XCTAssertEqual(item.resultStatus, .success, what, file: file, line: line)
            } else {
                XCTAssertEqual(item.resultStatus, .operationFailed, what, file: file, line: line)
                XCTAssertEqual(item.resultReason, .permissionDenied, what, file: file, line: line)
            }
        }
    }

    func assertInvalid(_ mount: KMIPMount, _ fields: [String: Bool], file: StaticString = #filePath, line: UInt = #line) async {
        do {
            try await mount.putRole(scope: "default", name: "refused", try role(fields))
            XCTFail("\(fields.keys.sorted()) was accepted", file: file, line: line)
        } catch let e as MountError {
            XCTAssertEqual(e.kind, .invalid, "\(fields.keys.sorted()): \(e.message)", file: file, line: line)
        } catch {
            XCTFail("\(fields.keys.sorted()): \(error)", file: file, line: line)
        }
    }

    // MARK: - Tests

    func testTheMatrixCoversTheTwentySixVaultFlags() {
        XCTAssertEqual(Self.matrix.count, 26)
        XCTAssertEqual(Set(Self.matrix.map(\.flag)).count, 26)
        XCTAssertEqual(Set(Self.matrix.map(\.operation)).count, 26)
    }

    /// Each flag alone allows its own operation and nothing else.
    func testEachFlagAllowsExactlyItsOperation() async throws {
        for (flag, operation, _) in Self.matrix {
            let (h, mount, f) = try await prepared()
            let (client, role) = try await roleClient(h, mount, role: "only", [flag: true])
            XCTAssertFalse(role.allowsAllOperations, flag)
            XCTAssertEqual(role.operations, [operation], flag)
            await assertMatrix(h, f, as: client, allowed: [operation], flag)
        }
    }

    func testOperationAllAllowsEveryOperation() async throws {
        let (h, mount, f) = try await prepared()
        let (client, role) = try await roleClient(h, mount, role: "all", ["operation_all": true])
        XCTAssertTrue(role.allowsAllOperations)
        await assertMatrix(h, f, as: client, allowed: Set(Self.matrix.map(\.operation)), "operation_all")
    }

    /// `operation_none`, no flag at all, and flags all given as false deny everything.
    func testNoneAndEmptyRolesDenyEveryOperation() async throws {
        let (h, mount, f) = try await prepared()
        let cases: [(String, [String: Bool])] = [
            ("none", ["operation_none": true]),
            ("empty", [:]),
            ("falses", Dictionary(uniqueKeysWithValues: Self.matrix.map { ($0.flag, false) })),
        ]
        for (name, fields) in cases {
            let (client, role) = try await roleClient(h, mount, role: name, fields)
            XCTAssertFalse(role.allowsAllOperations, name)
            XCTAssertEqual(role.operations, [], name)
            await assertMatrix(h, f, as: client, allowed: [], name)
        }
    }

    /// A pseudo-op beside any other true flag (or the other pseudo-op) is refused, and nothing is stored.
    func testPseudoOperationsAreExclusive() async throws {
        let h = try await EngineHarness.make()
        let mount = KMIPMount(store: h.mount)
        for (flag, _, _) in Self.matrix {
            await assertInvalid(mount, ["operation_all": true, flag: true])
            await assertInvalid(mount, ["operation_none": true, flag: true])
        }
        await assertInvalid(mount, ["operation_all": true, "operation_none": true])
        let stored = try await mount.role(scope: "default", name: "refused")
        XCTAssertNil(stored)
    }

    /// An update replaces the operation set: `operation_all` then `{operation_get}` leaves Get alone.
    func testUpdateReplacesTheOperationSet() async throws {
        let (h, mount, f) = try await prepared()
        let (client, before) = try await roleClient(h, mount, role: "changing", ["operation_all": true])
        let created = await h.send([RequestBatchItem(operation: .create, payload: Self.matrix[2].payload(f))], as: client)
        XCTAssertEqual(created.batchItems[0].resultStatus, .success)

        let after = try await mount.putRole(scope: "default", name: "changing", try role(["operation_get": true]))
        XCTAssertEqual(after.id, before.id, "an update keeps the role id (and so its credentials)")
        XCTAssertFalse(after.allowsAllOperations)
        XCTAssertEqual(after.operations, [.get])
        // The engine caches a client's role for up to a second; start from a clean cache.
        h.engine.invalidateAuthorizations()
        await assertMatrix(h, f, as: client, allowed: [.get], "after update to operation_get")
    }

    /// With the mount wired to the engine as the server does, a role update made through the mount
    /// reaches a client already authorised under the old role at once (no stale "all" for a second).
    func testRoleUpdateReachesTheEngineAtOnce() async throws {
        let h = try await EngineHarness.make()
        let mount = KMIPMount(store: h.mount)
        let engine = h.engine
        mount.onAuthorizationChange { engine.invalidateAuthorizations() }
        let (client, _) = try await roleClient(h, mount, role: "changing", ["operation_all": true])
        let query = QueryRequestPayload([.queryOperations])
        let first = await h.one(.query, query, as: client)
        XCTAssertEqual(first.resultStatus, .success)   // the role ("all") is now cached for this serial
        try await mount.putRole(scope: "default", name: "changing", try role(["operation_get": true]))
        let second = await h.one(.query, query, as: client)
        let stale = "Query still allowed right after the role lost it: KMIPMount.putRole does not notify onAuthorizationChange observers"
        XCTAssertEqual(second.resultStatus, .operationFailed, stale)
        XCTAssertEqual(second.resultReason, .permissionDenied, stale)
    }

    /// The server's engine reads the mount's own ``CredentialDirectory``: a role update or a
    /// revocation made through the mount reaches an already-authorised client on its next request,
    /// with no observer wired (one cache, not two).
    func testAnEngineOnTheMountsDirectorySeesItsChangesAtOnce() async throws {
        let h = try await EngineHarness.make()
        let mount = KMIPMount(store: h.mount)
        let engine = KMIPEngine(objects: h.objects, mount: h.mount, logger: Logger(label: "test"), directory: mount.directory)
        func query(_ client: ClientIdentity) async -> ResponseBatchItem {
            let request = RequestMessage(header: RequestHeader(protocolVersion: .v1_4, batchCount: 1),
                                         batchItems: [RequestBatchItem(operation: .query, payload: QueryRequestPayload([.queryOperations]))])
            return await engine.respond(to: request, client: client).batchItems[0]
        }
        let (client, _) = try await roleClient(h, mount, role: "changing", ["operation_all": true])
        let first = await query(client)
        XCTAssertEqual(first.resultStatus, .success)
        try await mount.putRole(scope: "default", name: "changing", try role(["operation_get": true]))
        let narrowed = await query(client)
        XCTAssertEqual(narrowed.resultReason, .permissionDenied, "the role update reached the engine at once")

        let (other, _) = try await roleClient(h, mount, role: "other", ["operation_all": true])
        let before = await query(other)
        XCTAssertEqual(before.resultStatus, .success)
        try await mount.revokeCredential(serialNumber: other.serialNumber)
        let revoked = await query(other)
        XCTAssertEqual(revoked.resultReason, .permissionDenied)
        XCTAssertTrue(revoked.resultMessage?.hasSuffix("the client certificate has been revoked") ?? false, revoked.resultMessage ?? "")
    }
}
