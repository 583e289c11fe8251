import KMIP
import NIOCore
import XCTest
@testable import KMIPEngine

/// The request sequences of clients that cannot run here (closed source, or needing their own
/// product around them), as their source code or published traces show them (docs/clients.md cites
/// each): the versions, shapes and checks each one depends on.
final class ClientFlowTests: XCTestCase {
    // MARK: Helpers

    private func symmetricKey(_ bytes: Int, compression: KeyCompressionType? = nil) -> ManagedObject {
        var block = KeyBlock(keyFormatType: .raw, keyMaterial: .byteString(ByteString(Array(repeating: 7, count: bytes))),
                             cryptographicAlgorithm: .aes, cryptographicLength: Int32(bytes * 8))
        block.keyCompressionType = compression
        return .symmetricKey(SymmetricKey(block))
    }

    private func register(_ h: EngineHarness, _ object: ManagedObject, _ attributes: [Attribute],
                          version: ProtocolVersion) async throws -> String {
        var p = RegisterRequestPayload()
        p.objectType = object.objectType
        p.object = object
        p.templateAttribute = TemplateAttribute(attributes)
        return try await h.succeed(.register, p, RegisterResponsePayload.self, version: version).uniqueIdentifier
    }

    private func locate(_ h: EngineHarness, _ attributes: [Attribute], maximum: Int32? = nil, offset: Int32? = nil,
                        version: ProtocolVersion) async throws -> [String] {
        var p = LocateRequestPayload()
        p.attributes = attributes
        p.maximumItems = maximum
        p.offsetItems = offset
        return try await h.succeed(.locate, p, LocateResponsePayload.self, version: version).uniqueIdentifiers
    }

    private func get(_ h: EngineHarness, _ uid: String, version: ProtocolVersion) async throws -> GetResponsePayload {
        var p = GetRequestPayload(); p.uniqueIdentifier = uid
        return try await h.succeed(.get, p, GetResponsePayload.self, version: version)
    }

    private func activate(_ h: EngineHarness, _ uid: String, version: ProtocolVersion) async throws {
        var p = ActivateRequestPayload(); p.uniqueIdentifier = uid
        let r = try await h.succeed(.activate, p, ActivateResponsePayload.self, version: version)
        XCTAssertEqual(r.uniqueIdentifier, uid, "clients check the Activate response names their object")
    }

    /// The encoded response to `request`, through the wire decoder and encoder.
    private func wire(_ h: EngineHarness, _ request: RequestMessage) async throws -> (bytes: [UInt8], message: ResponseMessage) {
        let out = await h.engine.process(message: ByteBuffer(bytes: request.encoded()), client: h.client, connection: 1)
        let bytes = Array(out.readableBytesView)
        return (bytes, try ResponseMessage(ttlv: bytes))
    }

    private static func contains(_ bytes: [UInt8], tag: Tag) -> Bool {
        let t = [UInt8(tag.rawValue >> 16 & 0xFF), UInt8(tag.rawValue >> 8 & 0xFF), UInt8(tag.rawValue & 0xFF)]
        return (0..<max(0, bytes.count - 2)).contains { Array(bytes[$0..<$0 + 3]) == t }
    }

    // MARK: Clients

    /// Percona Server for MongoDB (src/mongo/db/encryption/kmip_*): KMIP 1.0 throughout; Register a
    /// Raw AES-256 key without a Name, Activate, then before every Get a Get Attributes naming only
    /// State, whose decoder reads one attribute and requires it to be State; Get must be a Raw,
    /// unwrapped Symmetric Key; an unknown key must be Item Not Found.
    func testPerconaServerForMongoDB() async throws {
        let h = try await EngineHarness.make()
        let uid = try await register(h, symmetricKey(32), [
            Attribute(CryptographicAlgorithm.aes), Attribute(name: "Cryptographic Length", value: .integer(256)),
            Attribute(CryptographicUsageMask([.encrypt, .decrypt])),
        ], version: .v1_0)
        try await activate(h, uid, version: .v1_0)
        let state = try await h.succeed(.getAttributes, GetAttributesRequestPayload(uid, ["State"]), GetAttributesResponsePayload.self,
                                        version: .v1_0)
        XCTAssertEqual(state.attributes.map(\.attributeName), ["State"])
        XCTAssertEqual(state.attributes.first?.value(as: State.self), .active)
        let key = try await get(h, uid, version: .v1_0)
        XCTAssertEqual(key.objectType, .symmetricKey)
        XCTAssertEqual(key.object?.keyBlock?.keyFormatType, .raw)
        XCTAssertNil(key.object?.keyBlock?.keyWrappingData)
        var unknown = GetRequestPayload(); unknown.uniqueIdentifier = "no-such-key"
        await h.fail(.get, unknown, .itemNotFound, version: .v1_0)
    }

    /// Percona Server for MySQL's legacy keyring_kmip (libkmip/kmippp): Register and Get Attributes
    /// ("Name") at 1.4, Locate, Get, Activate, Revoke and Destroy at 1.0; Locate by Object Type and
    /// Object Group pages with Maximum Items 16 and Offset Items (a 1.3 field) under the 1.0 header,
    /// stopping at an empty page; deleting is Revoke (Unspecified) then Destroy.
    func testPerconaServerForMySQLKeyring() async throws {
        let h = try await EngineHarness.make()
        var keys: [String] = []
        for n in 0..<20 {
            let uid = try await register(h, symmetricKey(32), [
                Attribute(CryptographicAlgorithm.aes), Attribute(name: "Cryptographic Length", value: .integer(256)),
                Attribute(CryptographicUsageMask([.encrypt, .decrypt])), Attribute(Name("mysql-key-\(n)")),
                Attribute(name: "Object Group", value: .textString("mysql")),
            ], version: .v1_4)
            try await activate(h, uid, version: .v1_0)
            keys.append(uid)
        }
        let secret = try await register(h, .secretData(SecretData(.password, KeyBlock(keyFormatType: .opaque,
                                                                                      keyMaterial: .byteString(ByteString(Array("pw".utf8)))))),
                                        [Attribute(CryptographicUsageMask([.deriveKey, .export])), Attribute(Name("mysql-secret")),
                                         Attribute(name: "Object Group", value: .textString("mysql"))], version: .v1_4)
        try await activate(h, secret, version: .v1_0)

        var pages: [[String]] = []
        var offset: Int32 = 0
        while true {
            let page = try await locate(h, [Attribute(ObjectType.symmetricKey), Attribute(name: "Object Group", value: .textString("mysql"))],
                                        maximum: 16, offset: offset, version: .v1_0)
            if page.isEmpty { break }
            pages.append(page)
            offset += Int32(page.count)
            XCTAssertLessThan(pages.count, 5, "Offset Items must be honoured under a 1.0 header, or the client never stops")
            if pages.count >= 5 { break }
        }
        XCTAssertEqual(pages.map(\.count), [16, 4])
        XCTAssertEqual(Set(pages.joined()), Set(keys))
        let name = try await h.succeed(.getAttributes, GetAttributesRequestPayload(keys[0], ["Name"]), GetAttributesResponsePayload.self,
                                       version: .v1_4)
        XCTAssertEqual(name.attributes.first?.value(as: Name.self)?.nameValue, "mysql-key-0")

        var revoke = RevokeRequestPayload(); revoke.uniqueIdentifier = keys[0]
        revoke.revocationReason = RevocationReason(.unspecified, message: "Deleting the key")
        _ = try await h.succeed(.revoke, revoke, RevokeResponsePayload.self, version: .v1_0)
        var destroy = DestroyRequestPayload(); destroy.uniqueIdentifier = keys[0]
        _ = try await h.succeed(.destroy, destroy, DestroyResponsePayload.self, version: .v1_0)
    }

    /// pg_tde (keyring_kmip.c on libkmip f3f21ce): Locate by Object Type and Name (1.0) first to
    /// refuse duplicates, then Register (1.4) a Raw AES key whose Key Block carries a Key Compression
    /// Type, never Activate; reading is Locate (exactly one match expected) then Get of the
    /// Pre-Active key as Raw, unwrapped.
    func testPgTde() async throws {
        let h = try await EngineHarness.make()
        let byName = [Attribute(ObjectType.symmetricKey), Attribute(Name("pg-principal-key"))]
        var found = try await locate(h, byName, maximum: 16, version: .v1_0)
        XCTAssertEqual(found, [])
        let uid = try await register(h, symmetricKey(16, compression: .ecPublicKeyTypeUncompressed), [
            Attribute(CryptographicAlgorithm.aes), Attribute(name: "Cryptographic Length", value: .integer(128)),
            Attribute(CryptographicUsageMask([.encrypt, .decrypt])), Attribute(Name("pg-principal-key")),
        ], version: .v1_4)
        found = try await locate(h, byName, maximum: 16, version: .v1_0)
        XCTAssertEqual(found, [uid])
        let key = try await get(h, uid, version: .v1_0)
        XCTAssertEqual(key.objectType, .symmetricKey)
        XCTAssertEqual(key.object?.keyBlock?.keyFormatType, .raw)
        XCTAssertNil(key.object?.keyBlock?.keyWrappingData)
        guard case .byteString(let material)? = key.object?.keyBlock?.plainKeyValue?.keyMaterial else { return XCTFail("no key") }
        XCTAssertEqual(material.count, 16)
    }

    /// Ceph RGW (rgw_kms.cc on ceph/libkmip): KMIP 1.0, Locate with only a Name, exactly one match
    /// expected, then Get of a Raw 32-byte key. Ceph's libkmip decodes Located Items with the wrong
    /// tag: a 1.0 response must not carry it (it is a 1.3 field).
    func testCephRGW() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.createKey(names: ["ceph-bucket-key"])
        var request = RequestMessage(header: RequestHeader(protocolVersion: .v1_0, batchCount: 1), batchItems: [
            RequestBatchItem(operation: .locate, payload: LocateRequestPayload([Attribute(Name("ceph-bucket-key"))])),
        ])
        var (bytes, response) = try await wire(h, request)
        XCTAssertEqual((response.batchItems.first?.responsePayload as? LocateResponsePayload)?.uniqueIdentifiers, [uid])
        XCTAssertFalse(Self.contains(bytes, tag: .locatedItems), "no Located Items in a 1.0 response")
        request.requestHeader.protocolVersion = .v1_4
        (bytes, response) = try await wire(h, request)
        XCTAssertTrue(Self.contains(bytes, tag: .locatedItems), "1.3 and later do carry it")
        let key = try await get(h, uid, version: .v1_0)
        guard case .byteString(let material)? = key.object?.keyBlock?.plainKeyValue?.keyMaterial else { return XCTFail("no key") }
        XCTAssertEqual(material.count, 32)
    }

    /// Synology DSM 7.2 (Cosmian's replay of a production log): KMIP 1.2, one request per
    /// connection; Query with Query Functions 1–6; Locate by Name (none); Register a 72-byte Opaque
    /// Password Secret Data with usage Verify, Operation Policy Name "default" and a Name; Modify
    /// Attribute of the Name with Attribute Index 0 on the Pre-Active object, whose response must
    /// echo the new Name; Locate by the new Name (exactly one); Activate; Get Attribute List; Get
    /// Attributes State and Object Type; Get. No attribute newer than 1.2 may come back.
    func testSynologyDSM() async throws {
        let h = try await EngineHarness.make()
        var query = QueryRequestPayload()
        query.queryFunctions = [.queryOperations, .queryObjects, .queryServerInformation, .queryApplicationNamespaces,
                                .queryExtensionList, .queryExtensionMap]
        let capabilities = try await h.succeed(.query, query, QueryResponsePayload.self, version: .v1_2)
        XCTAssertTrue(capabilities.operations.contains(.register) && capabilities.operations.contains(.modifyAttribute))
        XCTAssertTrue(capabilities.objectTypes.contains(.secretData))
        let volume = "7f3c2a9e-volume"
        var found = try await locate(h, [Attribute(Name(volume))], version: .v1_2)
        XCTAssertEqual(found, [])
        let digest = String(repeating: "ab", count: 64)
        let secret = SecretData(.password, KeyBlock(keyFormatType: .opaque, keyMaterial: .byteString(ByteString(Array(repeating: 9, count: 72)))))
        let uid = try await register(h, .secretData(secret), [
            Attribute(CryptographicUsageMask([.verify])), Attribute(name: "Operation Policy Name", value: .textString("default")),
            Attribute(Name(digest)),
        ], version: .v1_2)
        var modify = ModifyAttributeRequestPayload(); modify.uniqueIdentifier = uid
        modify.attribute = Attribute(Name(volume), index: 0)
        let modified = try await h.succeed(.modifyAttribute, modify, ModifyAttributeResponsePayload.self, version: .v1_2)
        XCTAssertEqual(modified.uniqueIdentifier, uid)
        XCTAssertEqual(modified.attribute.value(as: Name.self)?.nameValue, volume)
        found = try await locate(h, [Attribute(Name(volume))], version: .v1_2)
        XCTAssertEqual(found, [uid])
        try await activate(h, uid, version: .v1_2)
        var list = GetAttributeListRequestPayload(); list.uniqueIdentifier = uid
        let names = try await h.succeed(.getAttributeList, list, GetAttributeListResponsePayload.self, version: .v1_2).attributeNames
        XCTAssertTrue(names.contains("Operation Policy Name"))
        for name in names {
            XCTAssertLessThanOrEqual(AttributeDefinitions.named(name)?.since ?? .v1_0, .v1_2, "\(name) is newer than KMIP 1.2")
        }
        let attributes = try await h.succeed(.getAttributes, GetAttributesRequestPayload(uid, ["State", "Object Type"]),
                                             GetAttributesResponsePayload.self, version: .v1_2)
        XCTAssertEqual(attributes.attributes.map(\.attributeName), ["State", "Object Type"])
        let got = try await get(h, uid, version: .v1_2)
        XCTAssertEqual(got.objectType, .secretData)
        XCTAssertEqual(got.object?.keyBlock?.keyFormatType, .opaque)
    }

    /// VMware vCenter 7.0.3 (a published capture): KMIP 1.1; Discover Versions without a list; Query
    /// Server Information; Create AES-256 (usage Encrypt|Decrypt, no Name); Get Attributes of its own
    /// x- attributes, absent at first (success, no attribute); one batch of three Add Attribute with
    /// 8-byte Unique Batch Item IDs; later Get (Raw), Get Attributes State and Activate.
    func testVMwareVCenter() async throws {
        let h = try await EngineHarness.make()
        let versions = try await h.succeed(.discoverVersions, DiscoverVersionsRequestPayload(), DiscoverVersionsResponsePayload.self,
                                           version: .v1_1)
        XCTAssertTrue(versions.protocolVersions.contains(.v1_1))
        var query = QueryRequestPayload(); query.queryFunctions = [.queryServerInformation]
        let server = try await h.succeed(.query, query, QueryResponsePayload.self, version: .v1_1)
        XCTAssertNotNil(server.vendorIdentification)
        var create = CreateRequestPayload()
        create.objectType = .symmetricKey
        create.templateAttribute = TemplateAttribute([Attribute(CryptographicAlgorithm.aes), Attribute(CryptographicUsageMask([.encrypt, .decrypt])),
                                                      Attribute(name: "Cryptographic Length", value: .integer(256))])
        let uid = try await h.succeed(.create, create, CreateResponsePayload.self, version: .v1_1).uniqueIdentifier
        let absent = try await h.succeed(.getAttributes, GetAttributesRequestPayload(uid, ["x-Product_Version"]),
                                         GetAttributesResponsePayload.self, version: .v1_1)
        XCTAssertEqual(absent.uniqueIdentifier, uid)
        XCTAssertEqual(absent.attributes, [])
        let values = [("x-Product_Version", "7.0.3 build-19480866"), ("x-Vendor", "VMware, Inc."), ("x-Product", "VMware vSphere")]
        let items = values.enumerated().map { n, pair in
            var p = AddAttributeRequestPayload(); p.uniqueIdentifier = uid
            p.attribute = Attribute(name: pair.0, value: .textString(pair.1))
            return RequestBatchItem(operation: .addAttribute, uniqueBatchItemID: ByteString(Array("QLKC".utf8) + [0, 0, 0, UInt8(n)]), payload: p)
        }
        let batch = await h.send(items, version: .v1_1)
        XCTAssertEqual(batch.batchItems.map(\.resultStatus), [.success, .success, .success])
        XCTAssertEqual(batch.batchItems.map(\.uniqueBatchItemID), items.map(\.uniqueBatchItemID))
        let key = try await get(h, uid, version: .v1_1)
        XCTAssertEqual(key.object?.keyBlock?.keyFormatType, .raw)
        let state = try await h.succeed(.getAttributes, GetAttributesRequestPayload(uid, ["State"]), GetAttributesResponsePayload.self,
                                        version: .v1_1)
        XCTAssertEqual(state.attributes.first?.value(as: State.self), .preActive)
        try await activate(h, uid, version: .v1_1)
    }

    /// Scality Arsenal (lib/network/kmip): every response item, failures included, must echo the
    /// request's 16-byte Unique Batch Item ID and Operation, or the client drops the connection;
    /// Encrypt and Decrypt with AES-CBC-PKCS5 and an explicit all-zero IV.
    func testScalityArsenal() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.createKey(attributes: [Attribute(name: "x-zenko-bucket", value: .textString("photos"))])
        try await activate(h, uid, version: .v1_2)
        let id = ByteString((0..<16).map { UInt8($0) })
        var missing = ActivateRequestPayload(); missing.uniqueIdentifier = "no-such-key"
        let failed = await h.send([RequestBatchItem(operation: .activate, uniqueBatchItemID: id, payload: missing)], version: .v1_2)
        XCTAssertEqual(failed.batchItems.first?.resultStatus, .operationFailed)
        XCTAssertEqual(failed.batchItems.first?.uniqueBatchItemID, id)
        XCTAssertEqual(failed.batchItems.first?.operation, .activate)
        let parameters = CryptographicParameters(.cbc, padding: .pkcs5)
        let zeros = [UInt8](repeating: 0, count: 16)
        let sealed = try await h.succeed(.encrypt, EncryptRequestPayload(uid, Array("data key".utf8), parameters, iv: zeros),
                                         EncryptResponsePayload.self, version: .v1_2)
        XCTAssertEqual(sealed.uniqueIdentifier, uid)
        let opened = try await h.succeed(.decrypt, DecryptRequestPayload(uid, sealed.data?.bytes, parameters, iv: zeros),
                                         DecryptResponsePayload.self, version: .v1_2)
        XCTAssertEqual(opened.data?.bytes, Array("data key".utf8))
    }

    /// Veeam Backup & Replication 12+ (as Cosmian describes and fixed it): KMIP 1.4, Create Key Pair
    /// RSA-2048, Activate, Get of each key. Veeam's decoder fails on Attribute elements inside a
    /// public or private key's Key Value.
    func testVeeamKeyPair() async throws {
        let h = try await EngineHarness.make()
        var pair = CreateKeyPairRequestPayload()
        pair.commonTemplateAttribute = TemplateAttribute([Attribute(CryptographicAlgorithm.rsa),
                                                          Attribute(name: "Cryptographic Length", value: .integer(2048))])
        pair.privateKeyTemplateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.decrypt]))])
        pair.publicKeyTemplateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.encrypt]))])
        let keys = try await h.succeed(.createKeyPair, pair, CreateKeyPairResponsePayload.self, version: .v1_4)
        try await activate(h, keys.privateKeyUniqueIdentifier, version: .v1_4)
        try await activate(h, keys.publicKeyUniqueIdentifier, version: .v1_4)
        for uid in [keys.publicKeyUniqueIdentifier, keys.privateKeyUniqueIdentifier] {
            let key = try await get(h, uid, version: .v1_4)
            XCTAssertEqual(key.object?.keyBlock?.plainKeyValue?.attributes, [], "no Attribute inside the Key Value")
        }
    }
}
