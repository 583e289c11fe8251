import KMIP
import KMIPCrypto
import NIOCore
import XCTest
@testable import KMIPEngine

/// What real clients' own suites need where the spec leaves the answer open (docs/clients.md):
/// the mount's `ClientCompatibility` answers, the `default` Operation Policy Name in Locate, and
/// keys of algorithms Strongroom holds but does not run.
final class ClientCompatibilityTests: XCTestCase {
    func testAttributeIndexZeroOnlyWhenTheMountAsks() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.createKey(names: ["first", "second"])
        let names = GetAttributesRequestPayload(uid, ["Name", "Cryptographic Length"])
        var r = try await h.succeed(.getAttributes, names, GetAttributesResponsePayload.self)
        XCTAssertEqual(r.attributes.map(\.attributeIndex), [nil, 1, nil], "the OASIS cases' shape by default")

        h.engine.compatibility.explicitAttributeIndex = true
        r = try await h.succeed(.getAttributes, names, GetAttributesResponsePayload.self)
        XCTAssertEqual(r.attributes.map(\.attributeIndex), [0, 1, nil], "single-valued attributes never carry one")
        let modified = try await h.succeed(.modifyAttribute, ModifyAttributeRequestPayload(uid, Attribute(Name("renamed"), index: 0)),
                                           ModifyAttributeResponsePayload.self)
        XCTAssertEqual(modified.attribute.attributeIndex, 0)
        let added = try await h.succeed(.addAttribute, AddAttributeRequestPayload(uid, Attribute(name: "Contact Information", value: .textString("ops"))),
                                        AddAttributeResponsePayload.self)
        XCTAssertNil(added.attribute.attributeIndex, "Contact Information is single-valued")
        let deleted = try await h.succeed(.deleteAttribute, DeleteAttributeRequestPayload(uid, "Name", index: 0),
                                          DeleteAttributeResponsePayload.self)
        XCTAssertEqual(deleted.attribute.attributeIndex, 0)
        XCTAssertEqual(deleted.attribute.value(as: Name.self)?.nameValue, "renamed")
    }

    func testWrappedKeyValueShapeFollowsTheMount() async throws {
        let h = try await EngineHarness.make()
        let kek = try await h.cipherKey(KeyWrappingTests.kekHex, usage: [.wrapKey, .unwrapKey])
        let dek = try await h.cipherKey(KeyWrappingTests.dekHex)
        let byteString = try await h.keyBlock(dek, spec: .aesKeyWrap(kek))
        guard case .wrapped(let plain)? = byteString.keyValue else { return XCTFail("a Byte String Key Value by default") }

        h.engine.compatibility.wrappedKeyValue = .structure
        let structured = try await h.keyBlock(dek, spec: .aesKeyWrap(kek))
        // Decoded from the wire, a Key Value structure before Key Wrapping Data is wrapped material.
        guard case .wrappedKeyMaterial(let inner)? = structured.keyValue else {
            return XCTFail("a Key Value structure holding the wrapped Key Material")
        }
        XCTAssertNil(structured.plainKeyValue, "never read as key material in the clear")
        XCTAssertEqual(inner.count, plain.count)
        let unwrap = try AESKeyWrap(keyEncryptionKey: SecretBytes(ByteString(hex: KeyWrappingTests.kekHex)!.bytes), variant: .rfc3394)
        XCTAssertEqual(try unwrap.unwrap(inner.bytes).bytes, ByteString(hex: KeyWrappingTests.dekHex)!.bytes)
        XCTAssertEqual(structured.keyWrappingData?.encodingOption, .noEncoding)
        // On the wire: Key Value (42 00 45) is a Structure (01) whose first field is Key Material
        // (42 00 43), a Byte String (08) of the wrapped bytes.
        var writer = TTLVWriter()
        structured.encode(tag: .keyBlock, to: &writer, EncodingContext(version: .v1_2))
        let bytes = writer.bytes
        let at = try XCTUnwrap((0..<bytes.count - 4).first { Array(bytes[$0..<$0 + 3]) == [0x42, 0x00, 0x45] })
        XCTAssertEqual(bytes[at + 3], 0x01)
        XCTAssertEqual(Array(bytes[at + 8..<at + 12]), [0x42, 0x00, 0x43, 0x08])
        XCTAssertEqual(Array(bytes[at + 16..<at + 16 + inner.count]), inner.bytes)

        // TTLV Encoding wraps a whole encoded Key Value: always a Byte String.
        let ttlv = try await h.keyBlock(dek, spec: .aesKeyWrap(kek, encoding: .ttlvEncoding))
        guard case .wrapped? = ttlv.keyValue else { return XCTFail("TTLV-encoded wrapping is a Byte String") }
    }

    func testAllAttributesLeaveOutWhatTheMountNames() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.createKey()
        var all = try await h.succeed(.getAttributes, GetAttributesRequestPayload(uid), GetAttributesResponsePayload.self)
        XCTAssertTrue(all.attributes.contains { $0.attributeName == "Original Creation Date" })
        XCTAssertFalse(all.attributes.contains { $0.attributeName == "Random Number Generator" })

        h.engine.compatibility.omittedFromAllAttributes = ["Original Creation Date"]
        all = try await h.succeed(.getAttributes, GetAttributesRequestPayload(uid), GetAttributesResponsePayload.self)
        XCTAssertFalse(all.attributes.contains { $0.attributeName == "Original Creation Date" })
        XCTAssertTrue(all.attributes.contains { $0.attributeName == "Random Number Generator" })
        let named = try await h.succeed(.getAttributes, GetAttributesRequestPayload(uid, ["Original Creation Date"]),
                                        GetAttributesResponsePayload.self)
        XCTAssertEqual(named.attributes.map(\.attributeName), ["Original Creation Date"], "named, it is returned")
    }

    func testLocateByTheDefaultOperationPolicyFindsObjectsWithoutOne() async throws {
        for backend in EngineHarness.Backend.allCases {
            let h = try await EngineHarness.make(backend)
            let plain = try await h.createKey()
            let explicit = try await h.createKey(attributes: [Attribute(name: "Operation Policy Name", value: .textString("default"))])
            let other = try await h.createKey(attributes: [Attribute(name: "Operation Policy Name", value: .textString("gold"))])
            func locate(_ policy: String) async throws -> [String] {
                try await h.succeed(.locate, LocateRequestPayload([Attribute(name: "Operation Policy Name", value: .textString(policy))]),
                                    LocateResponsePayload.self, version: .v1_2).uniqueIdentifiers
            }
            var found = try await locate("default")
            XCTAssertEqual(Set(found), [plain, explicit], backend.rawValue)
            found = try await locate("gold")
            XCTAssertEqual(found, [other], backend.rawValue)
            found = try await locate("unknown")
            XCTAssertEqual(found, [], backend.rawValue)
        }
    }

    /// FortiGate (FortiOS 7.4–7.6, as Cosmian's published traces show it): KMIP 1.0, a Username and
    /// Password Credential beside the TLS certificate, Batch Order and Continue, a Unique Batch Item
    /// ID on each item, and each Locate's Name inside a Template-Attribute with Maximum Items 1.
    /// Each Locate must find only its own key, and a name nobody holds finds nothing.
    func testFortiGateLocateBatchWithTemplateAttributeFilters() async throws {
        let h = try await EngineHarness.make()
        let enc = try await h.createKey(names: ["gw1-gw2-tunnel-ENC-AES-16"])
        let auth = try await h.createKey(names: ["gw1-gw2-tunnel-AUTH-SHA1-20"])
        func locate(_ name: String, id: UInt8) -> RequestBatchItem {
            var p = LocateRequestPayload()
            p.maximumItems = 1
            p.templateAttribute = TemplateAttribute([Attribute(Name(name))])
            return RequestBatchItem(operation: .locate, uniqueBatchItemID: ByteString([0, 0, 0, id]), payload: p)
        }
        var header = RequestHeader(protocolVersion: .v1_0, batchCount: 3)
        header.maximumResponseSize = 65536
        header.batchErrorContinuationOption = .continue
        header.batchOrderOption = true
        var login = UsernameAndPassword()
        login.username = "fortigate"; login.password = "secret"
        var credential = Credential()
        credential.credentialValue = .usernameAndPassword(login)
        header.authentication = Authentication([credential])
        let request = RequestMessage(header: header, batchItems: [
            locate("gw1-gw2-tunnel-ENC-AES-16", id: 1), locate("gw1-gw2-tunnel-AUTH-SHA1-20", id: 2), locate("absent", id: 3),
        ])
        // Through the wire decoder: the Template-Attribute must decode inside a Locate payload.
        let bytes = await h.engine.process(message: ByteBuffer(bytes: request.encoded()), client: h.client, connection: 1)
        let response = try ResponseMessage(ttlv: Array(bytes.readableBytesView))
        XCTAssertEqual(response.batchItems.map(\.resultStatus), [.success, .success, .success], response.batchItems.map { $0.resultMessage ?? "" }.joined())
        XCTAssertEqual(response.batchItems.map(\.uniqueBatchItemID), [ByteString([0, 0, 0, 1]), ByteString([0, 0, 0, 2]), ByteString([0, 0, 0, 3])])
        let found = response.batchItems.map { ($0.responsePayload as? LocateResponsePayload)?.uniqueIdentifiers ?? ["?"] }
        XCTAssertEqual(found, [[enc], [auth], []])

        var named = LocateRequestPayload()
        named.templateAttribute = TemplateAttribute([], names: [Name("a-template")])
        await h.fail(.locate, named, .featureNotSupported, version: .v1_0)
    }

    func testCreateHoldsKeysOfAlgorithmsStrongroomDoesNotRun() async throws {
        let h = try await EngineHarness.make()
        func create(_ algorithm: CryptographicAlgorithm, _ length: Int32) -> CreateRequestPayload {
            var p = CreateRequestPayload()
            p.objectType = .symmetricKey
            p.templateAttribute = TemplateAttribute([
                Attribute(algorithm), Attribute(name: "Cryptographic Length", value: .integer(length)),
                Attribute(CryptographicUsageMask([.encrypt, .decrypt])),
            ])
            return p
        }
        for (algorithm, length) in [(CryptographicAlgorithm.idea, Int32(128)), (.camellia, 256), (.blowfish, 448), (.cast5, 128),
                                    (.twofish, 192), (.chaCha20, 256)] {
            let uid = try await h.succeed(.create, create(algorithm, length), CreateResponsePayload.self).uniqueIdentifier
            var get = GetRequestPayload(); get.uniqueIdentifier = uid
            let got = try await h.succeed(.get, get, GetResponsePayload.self)
            guard case .byteString(let material)? = got.object?.keyBlock?.plainKeyValue?.keyMaterial else {
                return XCTFail("\(algorithm) key has no Raw key material")
            }
            XCTAssertEqual(material.count, Int(length) / 8, "\(algorithm)")
        }
        await h.fail(.create, create(.idea, 64), .invalidField)
        await h.fail(.create, create(.blowfish, 64), .invalidField)
        await h.fail(.create, create(.cast5, 80), .invalidField)
        await h.fail(.create, create(.des, 56), .invalidField)

        // Held, not run: IDEA encryption is refused.
        let idea = try await h.succeed(.create, create(.idea, 128), CreateResponsePayload.self).uniqueIdentifier
        try await h.activateObject(idea)
        await h.fail(.encrypt, EncryptRequestPayload(idea, [1, 2, 3, 4, 5, 6, 7, 8], CryptographicParameters(.cbc, padding: .pkcs5)),
                     .cryptographicFailure)
    }
}
