import KMIP
import KMIPCrypto
import KMIPStore
import XCTest
@testable import KMIPEngine

final class CreateKeyPairHandlerTests: XCTestCase {
    func testRSA2048KeyPairHasLinksAttributesAndStates() async throws {
        let h = try await EngineHarness.make()
        let pair = try await h.createKeyPair([Attribute(CryptographicAlgorithm.rsa), Attribute(name: "Cryptographic Length", value: .integer(2048))],
                                             names: ("rsa-private", "rsa-public"))
        XCTAssertNotEqual(pair.private, pair.public)
        let priv = try await h.stored(pair.private)
        let pub = try await h.stored(pair.public)
        XCTAssertEqual(priv.objectType, .privateKey)
        XCTAssertEqual(pub.objectType, .publicKey)
        for r in [priv, pub] {
            XCTAssertEqual(r.state, .preActive)
            XCTAssertEqual(r.cryptographicAlgorithm, .rsa)
            XCTAssertEqual(r.cryptographicLength, 2048)
            XCTAssertEqual(r.attributes.first { $0.attributeName == "Random Number Generator" } != nil, true)
        }
        XCTAssertEqual(priv.links(.publicKeyLink), [pair.public])
        XCTAssertEqual(pub.links(.privateKeyLink), [pair.private])
        XCTAssertEqual(priv.names, ["rsa-private"])
        XCTAssertEqual(pub.names, ["rsa-public"])
        XCTAssertEqual(priv.usageMask, CryptographicUsageMask([.sign]))
        XCTAssertEqual(pub.usageMask, CryptographicUsageMask([.verify]))

        // Stored as PKCS#1; the two halves belong together.
        let privateObject = try await h.getKey(pair.private)
        let publicObject = try await h.getKey(pair.public)
        XCTAssertEqual(privateObject.keyBlock?.keyFormatType, .pkcs1)
        XCTAssertEqual(publicObject.keyBlock?.keyFormatType, .pkcs1)
        let privateKey = try XCTUnwrap(try KMIPEngine.asymmetricKey(of: privateObject))
        let publicKey = try XCTUnwrap(try KMIPEngine.asymmetricKey(of: publicObject))
        XCTAssertTrue(privateKey.isPrivate)
        XCTAssertEqual(privateKey.bitLength, 2048)
        XCTAssertTrue(try privateKey.publicKey().publicKeyMatches(publicKey))
    }

    func testECP256KeyPairStoredAsPKCS8AndX509() async throws {
        let h = try await EngineHarness.make()
        var curve = CryptographicDomainParameters()
        curve.recommendedCurve = .p256
        let pair = try await h.createKeyPair([Attribute(CryptographicAlgorithm.ecdsa), Attribute(curve)])
        let priv = try await h.stored(pair.private)
        XCTAssertEqual(priv.cryptographicAlgorithm, .ecdsa)
        XCTAssertEqual(priv.cryptographicLength, 256)
        let privateObject = try await h.getKey(pair.private)
        let publicObject = try await h.getKey(pair.public)
        XCTAssertEqual(privateObject.keyBlock?.keyFormatType, .pkcs8)
        XCTAssertEqual(publicObject.keyBlock?.keyFormatType, .x509)
        let privateKey = try XCTUnwrap(try KMIPEngine.asymmetricKey(of: privateObject))
        XCTAssertEqual(privateKey.curve, .p256)
        XCTAssertTrue(try privateKey.publicKey().publicKeyMatches(XCTUnwrap(try KMIPEngine.asymmetricKey(of: publicObject))))

        // The curve from the length alone, and P-521.
        let p521 = try await h.createKeyPair([Attribute(CryptographicAlgorithm.ec), Attribute(name: "Cryptographic Length", value: .integer(521))])
        let key = try await h.asymmetric(p521.private)
        XCTAssertEqual(key.curve, .p521)
    }

    func testEd25519KeyPair() async throws {
        let h = try await EngineHarness.make()
        let pair = try await h.createKeyPair([Attribute(CryptographicAlgorithm.ed25519)])
        let priv = try await h.stored(pair.private)
        XCTAssertEqual(priv.cryptographicAlgorithm, .ed25519)
        let privateKey = try await h.asymmetric(pair.private)
        let publicKey = try await h.asymmetric(pair.public)
        XCTAssertEqual(privateKey.kind, .ed25519)
        XCTAssertTrue(try privateKey.publicKey().publicKeyMatches(publicKey))
    }

    func testCommonAttributesAreOverriddenByEachKeysTemplate() async throws {
        let h = try await EngineHarness.make()
        var p = CreateKeyPairRequestPayload()
        p.commonTemplateAttribute = TemplateAttribute([Attribute(CryptographicAlgorithm.ed25519),
                                                       Attribute(CryptographicUsageMask([.sign, .verify])),
                                                       Attribute(Name("common"))])
        p.privateKeyTemplateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.sign]))])
        let response = try await h.succeed(.createKeyPair, p, CreateKeyPairResponsePayload.self)
        let priv = try await h.stored(response.privateKeyUniqueIdentifier)
        let pub = try await h.stored(response.publicKeyUniqueIdentifier)
        XCTAssertEqual(priv.usageMask, CryptographicUsageMask([.sign]))
        XCTAssertEqual(pub.usageMask, CryptographicUsageMask([.sign, .verify]))
        XCTAssertEqual(priv.names, ["common"])
    }

    func testIDPlaceholderIsThePrivateKey() async throws {
        let h = try await EngineHarness.make()
        var p = CreateKeyPairRequestPayload()
        p.commonTemplateAttribute = TemplateAttribute([Attribute(CryptographicAlgorithm.ed25519)])
        let response = await h.send([RequestBatchItem(operation: .createKeyPair, uniqueBatchItemID: ByteString([1]), payload: p),
                                     RequestBatchItem(operation: .activate, uniqueBatchItemID: ByteString([2]), payload: ActivateRequestPayload())])
        XCTAssertEqual(response.batchItems.map(\.resultStatus), [.success, .success])
        let created = try XCTUnwrap(response.batchItems[0].responsePayload as? CreateKeyPairResponsePayload)
        let activated = try XCTUnwrap(response.batchItems[1].responsePayload as? ActivateResponsePayload)
        XCTAssertEqual(activated.uniqueIdentifier, created.privateKeyUniqueIdentifier)
    }

    func testRefusesBadRequests() async throws {
        let h = try await EngineHarness.make()
        func request(_ attributes: [Attribute]) -> CreateKeyPairRequestPayload {
            var p = CreateKeyPairRequestPayload()
            p.commonTemplateAttribute = TemplateAttribute(attributes)
            return p
        }
        let length = { (n: Int32) in Attribute(name: "Cryptographic Length", value: .integer(n)) }
        await h.fail(.createKeyPair, request([Attribute(CryptographicAlgorithm.rsa), length(512)]), .invalidField)
        await h.fail(.createKeyPair, request([Attribute(CryptographicAlgorithm.rsa), length(8192)]), .invalidField)
        await h.fail(.createKeyPair, request([Attribute(CryptographicAlgorithm.rsa)]), .missingData)
        await h.fail(.createKeyPair, request([length(2048)]), .missingData)
        await h.fail(.createKeyPair, request([Attribute(CryptographicAlgorithm.aes), length(256)]), .invalidField)
        await h.fail(.createKeyPair, request([Attribute(CryptographicAlgorithm.ec), length(200)]), .missingData)
        var disagreeing = request([Attribute(CryptographicAlgorithm.rsa), length(1024)])
        disagreeing.publicKeyTemplateAttribute = TemplateAttribute([length(2048)])
        await h.fail(.createKeyPair, disagreeing, .invalidField)
    }

    func testReKeyKeyPairMovesNamesAndLinksBothHalves() async throws {
        for backend in EngineHarness.Backend.allCases {
            try await reKeyKeyPair(try await EngineHarness.make(backend))
        }
    }

    func reKeyKeyPair(_ h: EngineHarness) async throws {
        let old = try await h.createKeyPair([Attribute(CryptographicAlgorithm.rsa), Attribute(name: "Cryptographic Length", value: .integer(1024))],
                                            names: ("pair-private", "pair-public"))
        h.clock.advance()
        var p = ReKeyKeyPairRequestPayload()
        p.privateKeyUniqueIdentifier = old.private
        let response = try await h.succeed(.reKeyKeyPair, p, ReKeyKeyPairResponsePayload.self)
        let newPrivate = try await h.stored(response.privateKeyUniqueIdentifier)
        let newPublic = try await h.stored(response.publicKeyUniqueIdentifier)
        let oldPrivate = try await h.stored(old.private)
        let oldPublic = try await h.stored(old.public)

        XCTAssertEqual(newPrivate.names, ["pair-private"])
        XCTAssertEqual(newPublic.names, ["pair-public"])
        XCTAssertEqual(oldPrivate.names, [])
        XCTAssertEqual(oldPublic.names, [])
        XCTAssertEqual(newPrivate.links(.replacedObjectLink), [old.private])
        XCTAssertEqual(newPublic.links(.replacedObjectLink), [old.public])
        XCTAssertEqual(oldPrivate.links(.replacementObjectLink), [newPrivate.uniqueIdentifier])
        XCTAssertEqual(oldPublic.links(.replacementObjectLink), [newPublic.uniqueIdentifier])
        XCTAssertEqual(newPrivate.links(.publicKeyLink), [newPublic.uniqueIdentifier])
        XCTAssertEqual(newPublic.links(.privateKeyLink), [newPrivate.uniqueIdentifier])
        XCTAssertEqual(newPrivate.usageMask, CryptographicUsageMask([.sign]))
        XCTAssertEqual(newPublic.usageMask, CryptographicUsageMask([.verify]))
        XCTAssertEqual(newPrivate.cryptographicLength, 1024)

        let oldKey = try await h.asymmetric(old.private)
        let newKey = try await h.asymmetric(newPrivate.uniqueIdentifier)
        let newPublicKey = try await h.asymmetric(newPublic.uniqueIdentifier)
        XCTAssertFalse(try oldKey.publicKey().publicKeyMatches(newKey))
        XCTAssertTrue(try newKey.publicKey().publicKeyMatches(newPublicKey))

        // A public key is not re-keyed as a pair.
        var onPublic = ReKeyKeyPairRequestPayload()
        onPublic.privateKeyUniqueIdentifier = old.public
        await h.fail(.reKeyKeyPair, onPublic, .invalidField)
    }

    /// Re-key Key Pair journals its four effects (two new keys, two changed ones), so a batch with
    /// Undo restores the old pair exactly and removes the new one.
    func testReKeyKeyPairIsUndoneWithItsBatch() async throws {
        for backend in EngineHarness.Backend.allCases {
            let h = try await EngineHarness.make(backend)
            let old = try await h.createKeyPair([Attribute(CryptographicAlgorithm.ec), Attribute(name: "Cryptographic Length", value: .integer(256))],
                                                names: ("undo-private", "undo-public"))
            let before = (try await h.stored(old.private), try await h.stored(old.public))
            h.clock.advance()
            var rekey = ReKeyKeyPairRequestPayload(); rekey.privateKeyUniqueIdentifier = old.private
            var missing = DestroyRequestPayload(); missing.uniqueIdentifier = "no-such-object"
            var header = RequestHeader(protocolVersion: .v1_4, batchCount: 2)
            header.batchErrorContinuationOption = .undo
            let response = await h.engine.respond(to: RequestMessage(header: header, batchItems: [
                RequestBatchItem(operation: .reKeyKeyPair, uniqueBatchItemID: ByteString([1]), payload: rekey),
                RequestBatchItem(operation: .destroy, uniqueBatchItemID: ByteString([2]), payload: missing),
            ]), client: h.client)
            XCTAssertEqual(response.batchItems.map(\.resultStatus), [.operationUndone, .operationFailed], "\(backend)")
            let after = (try await h.stored(old.private), try await h.stored(old.public))
            XCTAssertEqual(after.0, before.0, "\(backend): the old private key is as it was")
            XCTAssertEqual(after.1, before.1, "\(backend): the old public key is as it was")
            let remaining = try await h.succeed(.locate, LocateRequestPayload(), LocateResponsePayload.self).uniqueIdentifiers
            XCTAssertEqual(Set(remaining), [old.private, old.public], "\(backend): the new pair is gone")
        }
    }
}

extension EngineHarness {
    /// Create Key Pair with `common` attributes, Sign on the private key and Verify on the public.
    func createKeyPair(_ common: [Attribute], names: (String, String)? = nil,
                       file: StaticString = #filePath, line: UInt = #line) async throws -> (private: String, public: String) {
        clock.advance()
        var p = CreateKeyPairRequestPayload()
        p.commonTemplateAttribute = TemplateAttribute(common)
        p.privateKeyTemplateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.sign]))] + (names.map { [Attribute(Name($0.0))] } ?? []))
        p.publicKeyTemplateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.verify]))] + (names.map { [Attribute(Name($0.1))] } ?? []))
        let r = try await succeed(.createKeyPair, p, CreateKeyPairResponsePayload.self, file: file, line: line)
        return (r.privateKeyUniqueIdentifier, r.publicKeyUniqueIdentifier)
    }

    func stored(_ uid: String, file: StaticString = #filePath, line: UInt = #line) async throws -> ManagedObjectRecord {
        let r = try await record(uid)
        return try XCTUnwrap(r, "object \(uid)", file: file, line: line)
    }

    /// The stored key (Get without a format) read through KMIPCrypto.
    func asymmetric(_ uid: String, file: StaticString = #filePath, line: UInt = #line) async throws -> AsymmetricKey {
        let object = try await getKey(uid, file: file, line: line)
        return try XCTUnwrap(try KMIPEngine.asymmetricKey(of: object), file: file, line: line)
    }

    /// Get, in `format` when given; the object must come back.
    func getKey(_ uid: String, format: KeyFormatType? = nil, file: StaticString = #filePath, line: UInt = #line) async throws -> ManagedObject {
        var p = GetRequestPayload()
        p.uniqueIdentifier = uid
        p.keyFormatType = format
        let r = try await succeed(.get, p, GetResponsePayload.self, file: file, line: line)
        return try XCTUnwrap(r.object, file: file, line: line)
    }
}

extension ManagedObjectRecord {
    func links(_ type: LinkType) -> [String] {
        attributes.filter { $0.attributeName == "Link" }.compactMap { $0.value(as: Link.self) }
            .filter { $0.linkType == type }.map(\.linkedObjectIdentifier)
    }

    var usageMask: CryptographicUsageMask? {
        attributes.first { $0.attributeName == "Cryptographic Usage Mask" }?.value(as: CryptographicUsageMask.self)
    }
}
