import KMIP
import KMIPCrypto
import KMIPPKI
import XCTest
@testable import KMIPEngine

/// Create Split Key and Join Split Key through the engine: the parts as Get shows them, the ID
/// Placeholder, joins of server-made and registered parts, and who may do what.
final class SplitKeyTests: XCTestCase {
    func split(_ h: EngineHarness, _ uid: String?, parts: Int32 = 5, threshold: Int32 = 3, method: SplitKeyMethod = .polynomialSharingGF28,
               prime: BigInteger? = nil, template: [Attribute] = [], as client: ClientIdentity? = nil,
               file: StaticString = #filePath, line: UInt = #line) async throws -> [String] {
        try await h.succeed(.createSplitKey, splitRequest(uid, parts: parts, threshold: threshold, method: method, prime: prime, template: template),
                            CreateSplitKeyResponsePayload.self, as: client, file: file, line: line).uniqueIdentifiers
    }

    func splitRequest(_ uid: String?, parts: Int32 = 5, threshold: Int32 = 3, method: SplitKeyMethod = .polynomialSharingGF28,
                      prime: BigInteger? = nil, template: [Attribute] = []) -> CreateSplitKeyRequestPayload {
        var r = CreateSplitKeyRequestPayload()
        r.uniqueIdentifier = uid
        r.splitKeyParts = parts; r.splitKeyThreshold = threshold; r.splitKeyMethod = method
        r.primeFieldSize = prime
        r.templateAttribute = TemplateAttribute(template)
        return r
    }

    func joinRequest(_ uids: [String], type: ObjectType = .symmetricKey, template: [Attribute]? = nil) -> JoinSplitKeyRequestPayload {
        var r = JoinSplitKeyRequestPayload()
        r.objectType = type
        r.uniqueIdentifiers = uids
        r.templateAttribute = template.map { TemplateAttribute($0) }
        return r
    }

    func join(_ h: EngineHarness, _ uids: [String], type: ObjectType = .symmetricKey, template: [Attribute]? = nil,
              file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        try await h.succeed(.joinSplitKey, joinRequest(uids, type: type, template: template), JoinSplitKeyResponsePayload.self,
                            file: file, line: line).uniqueIdentifier
    }

    func get(_ h: EngineHarness, _ uid: String?, file: StaticString = #filePath, line: UInt = #line) async throws -> ManagedObject {
        var p = GetRequestPayload(); p.uniqueIdentifier = uid
        let response = try await h.succeed(.get, p, GetResponsePayload.self, file: file, line: line)
        return try XCTUnwrap(response.object, file: file, line: line)
    }

    func material(_ object: ManagedObject) -> [UInt8]? {
        guard case .byteString(let b)? = object.keyBlock?.plainKeyValue?.keyMaterial else { return nil }
        return b.bytes
    }

    func testAKeySplitThreeOfFiveJoinsFromAnyThreePartsAndNotFromTwo() async throws {
        let h = try await EngineHarness.make()
        let key = try await h.createKey(256)
        let original = material(try await get(h, key) as ManagedObject)
        let parts = try await split(h, key)
        XCTAssertEqual(parts.count, 5)
        for (index, uid) in parts.enumerated() {
            guard case .splitKey(let part) = try await get(h, uid) else { return XCTFail("part \(index + 1) is no Split Key") }
            XCTAssertEqual(part.keyPartIdentifier, Int32(index + 1))
            XCTAssertEqual([part.splitKeyParts, part.splitKeyThreshold], [5, 3])
            XCTAssertEqual(part.splitKeyMethod, .polynomialSharingGF28)
            XCTAssertEqual(part.keyBlock.cryptographicAlgorithm, .aes)
            XCTAssertEqual(part.keyBlock.cryptographicLength, 256)
            XCTAssertNotEqual(material(.splitKey(part)), original, "a part is not the key")
            let record = try await h.record(uid)
            XCTAssertEqual(record?.attributes.first(AttributeName.link)?.value(as: Link.self), Link(.parentLink, key))
        }
        let joined = try await join(h, [parts[4], parts[0], parts[2]])
        let key2 = try await get(h, joined)
        XCTAssertEqual(material(key2), original)
        XCTAssertEqual(key2.keyBlock?.cryptographicAlgorithm, .aes)
        await h.fail(.joinSplitKey, joinRequest([parts[1], parts[3]]), .cryptographicFailure)
    }

    func testTheIDPlaceholderIsPartOne() async throws {
        let h = try await EngineHarness.make()
        let key = try await h.createKey(128)
        let response = await h.send([
            RequestBatchItem(operation: .createSplitKey, uniqueBatchItemID: ByteString([1]), payload: splitRequest(key, parts: 3, threshold: 2)),
            RequestBatchItem(operation: .get, uniqueBatchItemID: ByteString([2]), payload: GetRequestPayload()),
        ])
        XCTAssertEqual(response.batchItems.map(\.resultStatus), [.success, .success], "\(response.batchItems.map(\.resultMessage))")
        guard case .splitKey(let part)? = (response.batchItems[1].responsePayload as? GetResponsePayload)?.object else {
            return XCTFail("the placeholder names no Split Key")
        }
        XCTAssertEqual(part.keyPartIdentifier, 1)
    }

    func testWithoutAKeyTheServerMakesOneFromTheTemplate() async throws {
        let h = try await EngineHarness.make()
        let parts = try await split(h, nil, parts: 3, threshold: 3, method: .xor,
                                    template: [Attribute(CryptographicAlgorithm.aes), Attribute(name: AttributeName.cryptographicLength, value: .integer(192))])
        let joined = try await get(h, try await join(h, parts))
        XCTAssertEqual(material(joined)?.count, 24)
        XCTAssertEqual(joined.keyBlock?.cryptographicLength, 192)
        await h.fail(.createSplitKey, splitRequest(nil, parts: 3, threshold: 3, method: .xor), .missingData)
    }

    func testThePrimeFieldAndGF65536Methods() async throws {
        let h = try await EngineHarness.make()
        let key = try await h.createKey(256)
        let original = material(try await get(h, key) as ManagedObject)
        let m521 = BigInteger(unsigned: [0x01] + [UInt8](repeating: 0xFF, count: 65))
        let primeParts = try await split(h, key, parts: 4, threshold: 2, method: .polynomialSharingPrimeField, prime: m521)
        guard case .splitKey(let first) = try await get(h, primeParts[0]) else { return XCTFail("no Split Key") }
        XCTAssertEqual(first.primeFieldSize, m521)
        let primeJoined = try await get(h, try await join(h, [primeParts[3], primeParts[1]]))
        XCTAssertEqual(material(primeJoined), original)
        await h.fail(.createSplitKey, splitRequest(key, parts: 4, threshold: 2, method: .polynomialSharingPrimeField), .missingData)
        await h.fail(.createSplitKey, splitRequest(key, parts: 4, threshold: 2, method: .polynomialSharingPrimeField,
                                                   prime: BigInteger(unsigned: [0x01, 0x00])), .invalidField)

        let wideParts = try await split(h, key, parts: 3, threshold: 2, method: .polynomialSharingGF216)
        let wideJoined = try await get(h, try await join(h, [wideParts[2], wideParts[0]]))
        XCTAssertEqual(material(wideJoined), original)
    }

    /// TC-SJ-3-14's registered parts (no algorithm in their key blocks) join, with the template's
    /// algorithm, to 0102…10; so do TC_SJ_4_12's XOR parts.
    func testThePublishedPartsRegisteredAndJoined() async throws {
        let h = try await EngineHarness.make()
        func register(_ bytes: [UInt8], _ index: Int32, threshold: Int32, method: SplitKeyMethod) async throws -> String {
            var part = SplitKey()
            part.splitKeyParts = 4; part.keyPartIdentifier = index; part.splitKeyThreshold = threshold; part.splitKeyMethod = method
            part.keyBlock = KeyBlock(keyFormatType: .raw, keyMaterial: .byteString(ByteString(bytes)))
            var p = RegisterRequestPayload(); p.objectType = .splitKey; p.object = .splitKey(part)
            return try await h.succeed(.register, p, RegisterResponsePayload.self).uniqueIdentifier
        }
        var gf: [String] = []
        for (i, bytes) in PublishedSplitParts.gfParts.enumerated() {
            gf.append(try await register(bytes, Int32(i + 1), threshold: 2, method: .polynomialSharingGF28))
        }
        let aes128 = [Attribute(CryptographicAlgorithm.aes), Attribute(name: AttributeName.cryptographicLength, value: .integer(128))]
        let gfJoined = try await get(h, try await join(h, [gf[0], gf[2]], template: aes128))
        XCTAssertEqual(material(gfJoined), PublishedSplitParts.key)
        await h.fail(.joinSplitKey, joinRequest([gf[0], gf[2]]), .missingData)  // no algorithm anywhere
        await h.fail(.joinSplitKey, joinRequest([gf[2]], template: aes128), .cryptographicFailure)
        var xor: [String] = []
        for (i, bytes) in PublishedSplitParts.xorParts.enumerated() {
            xor.append(try await register(bytes, Int32(i + 1), threshold: 4, method: .xor))
        }
        let xorJoined = try await get(h, try await join(h, xor.reversed(), template: aes128))
        XCTAssertEqual(material(xorJoined), PublishedSplitParts.key)
        await h.fail(.joinSplitKey, joinRequest([xor[0], gf[1]], template: aes128), .invalidField)  // two splits
        // A part outside its split is refused at Register.
        var bad = SplitKey()
        bad.splitKeyParts = 4; bad.keyPartIdentifier = 5; bad.splitKeyThreshold = 2; bad.splitKeyMethod = .polynomialSharingGF28
        bad.keyBlock = KeyBlock(keyFormatType: .raw, keyMaterial: .byteString(ByteString(PublishedSplitParts.key)))
        var p = RegisterRequestPayload(); p.objectType = .splitKey; p.object = .splitKey(bad)
        await h.fail(.register, p, .invalidField)
    }

    func testSecretDataAndPrivateKeysSplitAndJoin() async throws {
        let h = try await EngineHarness.make()
        let secret = try await h.registerSecret()
        let secretParts = try await split(h, secret, parts: 2, threshold: 2)
        let joined = try await get(h, try await join(h, secretParts, type: .secretData))
        XCTAssertEqual(material(joined), Array("s3cret".utf8))

        let (priv, _) = try await h.registerPair(SignHandlerTests.rsa, activate: false)
        let original = try await get(h, priv)
        let keyParts = try await split(h, priv, parts: 3, threshold: 2)
        let rejoined = try await get(h, try await join(h, [keyParts[1], keyParts[2]], type: .privateKey))
        XCTAssertEqual(material(rejoined), material(original))
        XCTAssertEqual(rejoined.keyBlock?.keyFormatType, .pkcs8)
        XCTAssertEqual(rejoined.keyBlock?.cryptographicAlgorithm, .rsa)
    }

    func testRefusals() async throws {
        let h = try await EngineHarness.make()
        let sensitive = try await h.createKey(attributes: [Attribute(name: AttributeName.sensitive, value: .boolean(true))])
        await h.fail(.createSplitKey, splitRequest(sensitive), .sensitive)
        let sealed = try await h.createKey(attributes: [Attribute(name: AttributeName.extractable, value: .boolean(false))])
        await h.fail(.createSplitKey, splitRequest(sealed), .notExtractable)
        let key = try await h.createKey()
        await h.fail(.createSplitKey, splitRequest(key, parts: 3, threshold: 1), .invalidField)
        await h.fail(.createSplitKey, splitRequest(key, parts: 3, threshold: 2, method: .xor), .invalidField)
        var wrongType = splitRequest(key); wrongType.objectType = .symmetricKey
        await h.fail(.createSplitKey, wrongType, .invalidField)
        await h.fail(.joinSplitKey, joinRequest([key]), .invalidObjectType)
        await h.fail(.joinSplitKey, joinRequest([]), .invalidField)

        // Parts and keys of another scope are not found.
        let parts = try await split(h, key, parts: 2, threshold: 2)
        let stranger = try await h.makeClient(scope: "other")
        await h.fail(.createSplitKey, splitRequest(key), .itemNotFound, as: stranger)
        await h.fail(.joinSplitKey, joinRequest(parts), .itemNotFound, as: stranger)

        // Vault has no flag for either operation: only operation_all.
        let everyFlag = Set(RoleOperationFlags.flags.map(\.operation))
        XCTAssertFalse(everyFlag.contains(.createSplitKey) || everyFlag.contains(.joinSplitKey))
        let limited = try await h.makeClient(scope: "default", role: "flags", all: false, operations: everyFlag)
        await h.fail(.createSplitKey, splitRequest(key), .permissionDenied, as: limited)
        await h.fail(.joinSplitKey, joinRequest(parts), .permissionDenied, as: limited)

        // A destroyed part joins nothing.
        var destroy = DestroyRequestPayload(); destroy.uniqueIdentifier = parts[0]
        _ = try await h.succeed(.destroy, destroy, DestroyResponsePayload.self)
        await h.fail(.joinSplitKey, joinRequest(parts), .itemNotFound)
    }
}

/// The published parts of TC-SJ-3-14 (GF(2^8), 2 of 4) and TC_SJ_4_12 (XOR, 4 of 4) of 0102…10.
enum PublishedSplitParts {
    static let key = MACHandlerTests.hex("0102030405060708090a0b0c0d0e0f10")
    static let gfParts = ["66C46A7754F94DE420C7B1A7FFF5EC56", "CF93D1E2A7E593CD5B8D6247F4E5D49C",
                          "A855B891F61AD9217240D8EC061E37DA", "803DBAD55CDD329FAD19D99AE2C5A415"].map(MACHandlerTests.hex)
    static let xorParts = ["d4b92c299199298e30dee13b967e6dda", "35ea4f615686230c7b11538693674e89",
                           "3478ddd2e1f89f2005011d26d9fff37c", "d429bd9e23e192aa47c4a497d1e8df3f"].map(MACHandlerTests.hex)
}
