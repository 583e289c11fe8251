import KMIP
import KMIPCrypto
import XCTest
@testable import KMIPEngine

final class ImportHandlerTests: XCTestCase {
    func publicKeyObject(_ key: AsymmetricKey) throws -> ManagedObject {
        .publicKey(PublicKey(KeyBlock(keyFormatType: .x509, keyMaterial: try key.publicKey().keyMaterial(.x509),
                                      cryptographicAlgorithm: key.cryptographicAlgorithm, cryptographicLength: Int32(key.bitLength))))
    }

    func importRequest(_ uid: String, _ object: ManagedObject, attributes: [Attribute] = [], replace: Bool? = nil) -> ImportRequestPayload {
        var p = ImportRequestPayload()
        p.uniqueIdentifier = uid
        p.object = object
        p.attributes = attributes
        p.replaceExisting = replace
        return p
    }

    func testImportKeepsTheClientsIdentifierAndAttributes() async throws {
        let h = try await EngineHarness.make()
        let key = try AsymmetricKey.generateEC(curve: .p256)
        let created = DateTime(secondsSince1970: 1_600_000_000)
        let request = importRequest("imported-1", try publicKeyObject(key), attributes: [
            Attribute(Name("imported")), Attribute(CryptographicUsageMask([.verify])),
            Attribute(State.active), Attribute(name: "Initial Date", value: .dateTime(created)),
        ])
        let response = try await h.succeed(.import, request, ImportResponsePayload.self)
        XCTAssertEqual(response.uniqueIdentifier, "imported-1")
        let record = try await h.stored("imported-1")
        XCTAssertEqual(record.objectType, .publicKey)
        XCTAssertEqual(record.state, .active)
        XCTAssertEqual(record.names, ["imported"])
        XCTAssertEqual(record.initialDate, created)
        let back = try await h.asymmetric("imported-1")
        XCTAssertTrue(back.publicKeyMatches(key))
    }

    func testReplaceExisting() async throws {
        let h = try await EngineHarness.make()
        let first = try AsymmetricKey.generateEd25519()
        let second = try AsymmetricKey.generateEd25519()
        _ = try await h.succeed(.import, importRequest("k", try publicKeyObject(first)), ImportResponsePayload.self)
        await h.fail(.import, importRequest("k", try publicKeyObject(second)), .illegalOperation)
        await h.fail(.import, importRequest("k", try publicKeyObject(second), replace: false), .illegalOperation)
        _ = try await h.succeed(.import, importRequest("k", try publicKeyObject(second), replace: true), ImportResponsePayload.self)
        let back = try await h.asymmetric("k")
        XCTAssertTrue(back.publicKeyMatches(second))
        XCTAssertFalse(back.publicKeyMatches(first))
    }

    /// Unique Identifiers are per scope: another scope can neither see that an identifier is taken
    /// (no oracle) nor squat it; both scopes hold their own object under the same name.
    func testIdentifiersArePerScope() async throws {
        for backend in EngineHarness.Backend.allCases {
            let h = try await EngineHarness.make(backend)
            let other = try await h.makeClient(scope: "other")
            let mine = try AsymmetricKey.generateEd25519()
            let theirs = try AsymmetricKey.generateEd25519()
            _ = try await h.succeed(.import, importRequest("shared-name", try publicKeyObject(mine)), ImportResponsePayload.self)
            _ = try await h.succeed(.import, importRequest("shared-name", try publicKeyObject(theirs)), ImportResponsePayload.self,
                                    as: other)
            let kept = try await h.asymmetric("shared-name")
            XCTAssertTrue(kept.publicKeyMatches(mine), "\(backend)")
            let theirRead = try await h.record("shared-name", in: other)
            let theirRecord = try XCTUnwrap(theirRead)
            XCTAssertEqual(theirRecord.scopeID, other.scopeID)
            var destroy = DestroyRequestPayload(); destroy.uniqueIdentifier = "shared-name"
            _ = try await h.succeed(.destroy, destroy, DestroyResponsePayload.self, as: other)
            let mineAfter = try await h.record("shared-name")
            XCTAssertEqual(mineAfter?.state, .preActive, "\(backend): only the other scope's object went")
        }
    }

    /// Replacing destroys the old object: Import alone is not enough, and a non-extractable object
    /// is never replaced.
    func testReplaceNeedsDestroyAndNeverOverwritesANonExtractableObject() async throws {
        let h = try await EngineHarness.make()
        let importer = try await h.makeClient(scope: "default", role: "importer", all: false, operations: [.import])
        let first = try AsymmetricKey.generateEd25519()
        let second = try AsymmetricKey.generateEd25519()
        _ = try await h.succeed(.import, importRequest("k", try publicKeyObject(first)), ImportResponsePayload.self)
        await h.fail(.import, importRequest("k", try publicKeyObject(second), replace: true), .permissionDenied, as: importer)
        _ = try await h.succeed(.import, importRequest("locked", try publicKeyObject(first),
                                                       attributes: [Attribute(name: "Extractable", value: .boolean(false))]),
                                ImportResponsePayload.self)
        let lockedBefore = try await h.record("locked")
        await h.fail(.import, importRequest("locked", try publicKeyObject(second), replace: true), .permissionDenied)
        let lockedAfter = try await h.record("locked")
        XCTAssertEqual(lockedAfter, lockedBefore, "the non-extractable object is untouched")
        let k = try await h.asymmetric("k")
        XCTAssertTrue(k.publicKeyMatches(first))
        // An Active object others may be using, or a destroyed one, is not replaced either.
        var activate = ActivateRequestPayload(); activate.uniqueIdentifier = "k"
        _ = try await h.succeed(.activate, activate, ActivateResponsePayload.self)
        await h.fail(.import, importRequest("k", try publicKeyObject(second), replace: true), .permissionDenied)
        var revoke = RevokeRequestPayload(); revoke.uniqueIdentifier = "k"; revoke.revocationReason = RevocationReason(.cessationOfOperation)
        _ = try await h.succeed(.revoke, revoke, RevokeResponsePayload.self)
        var destroy = DestroyRequestPayload(); destroy.uniqueIdentifier = "k"
        _ = try await h.succeed(.destroy, destroy, DestroyResponsePayload.self)
        await h.fail(.import, importRequest("k", try publicKeyObject(second), replace: true), .permissionDenied)
        let gone = try await h.record("k")
        XCTAssertEqual(gone?.state, .destroyed)
    }

    func testImportIsAKMIP14Operation() async throws {
        let h = try await EngineHarness.make()
        let key = try AsymmetricKey.generateEd25519()
        let item = await h.one(.import, importRequest("old", try publicKeyObject(key)), version: .v1_2)
        XCTAssertEqual(item.resultStatus, .operationFailed)
        XCTAssertEqual(item.resultReason, .operationNotSupported)
    }

    func testCorruptKeysAreRefusedOnImportAndRegister() async throws {
        let h = try await EngineHarness.make()
        let key = try AsymmetricKey.generateRSA(bits: 1024)
        var der = try key.pkcs1PrivateKey().bytes
        der[der.count / 2] ^= 0xFF
        let corrupt = ManagedObject.privateKey(PrivateKey(KeyBlock(keyFormatType: .pkcs1, keyMaterial: .byteString(ByteString(der)),
                                                                   cryptographicAlgorithm: .rsa, cryptographicLength: 1024)))
        let garbage = ManagedObject.privateKey(PrivateKey(KeyBlock(keyFormatType: .pkcs1, keyMaterial: .byteString(ByteString([0x30, 0x03, 0x02, 0x01, 0x00])),
                                                                   cryptographicAlgorithm: .rsa, cryptographicLength: 1024)))
        for object in [corrupt, garbage] {
            var p = RegisterRequestPayload()
            p.objectType = .privateKey
            p.object = object
            await h.fail(.register, p, .invalidField)
            await h.fail(.import, importRequest("bad", object), .invalidField)
        }
        // A length that contradicts the key, and a public key registered as a private one.
        var wrongLength = RegisterRequestPayload()
        wrongLength.objectType = .privateKey
        wrongLength.object = .privateKey(PrivateKey(KeyBlock(keyFormatType: .pkcs1, keyMaterial: try key.keyMaterial(.pkcs1),
                                                             cryptographicAlgorithm: .rsa, cryptographicLength: 2048)))
        await h.fail(.register, wrongLength, .invalidField)
        var wrongSide = RegisterRequestPayload()
        wrongSide.objectType = .privateKey
        wrongSide.object = .privateKey(PrivateKey(KeyBlock(keyFormatType: .pkcs1, keyMaterial: try key.publicKey().keyMaterial(.pkcs1),
                                                           cryptographicAlgorithm: .rsa, cryptographicLength: 1024)))
        await h.fail(.register, wrongSide, .invalidField)

        // The intact key registers.
        var good = RegisterRequestPayload()
        good.objectType = .privateKey
        good.object = .privateKey(PrivateKey(KeyBlock(keyFormatType: .pkcs1, keyMaterial: try key.keyMaterial(.pkcs1),
                                                      cryptographicAlgorithm: .rsa, cryptographicLength: 1024)))
        _ = try await h.succeed(.register, good, RegisterResponsePayload.self)
    }

    /// Keys the server cannot read are stored as given (OASIS TC-ECC-1/2): an encrypted PKCS#8
    /// from TC-ECC-2-14 and a brainpoolP256r1 public key. Get answers them in their own format and
    /// refuses a conversion; TC-ECC-2-14's secp256k1 public key, which KMIPCrypto reads, converts.
    func testUnreadableButWellFormedKeysAreStoredAsGiven() async throws {
        let h = try await EngineHarness.make()
        let encryptedPKCS8 = Self.hex("3081a9301c060a2a864886f70d010c0103300e0408dc4dc656aa7bcc0402020800048188824b0a6786064a1d5686b852d8ff3073cb3379397dee978c60031353e1835a1a3c6289f16ff617b2d8b2d32829c265b997b406a69b96894caa39cee1c556cda380e7174271606a4dfde4bc6182943de6e827573ce3d877b72f1cdd3a59a3721b34740466fa43390ab29fb8ac01df172f9af6bb222aeee0f9be744b425e9620902ebc76ab8ceaa555")
        let brainpoolSPKI = Self.hex("305a301406072a8648ce3d020106092b2403030208010107034200049905a0116d530f0923cac17a1273266a60cf3828eb59de305de628b3fe0ba7c93994617bcd0b5f8a4c8668a635073e2c6145e514a33071b9cacde1bcbbbfc2d5")
        let secp256k1SPKI = Self.hex("3056301006072a8648ce3d020106052b8104000a03420004dab5d3c253113db414abfc1c0ebf5a02559e656aa1c8b0aa8d870aa0324cda4899925ea1e6dbc259a6c7825cf46592ac7594cc40bd604b728d88b636f317d366")
        var priv = RegisterRequestPayload()
        priv.objectType = .privateKey
        priv.object = .privateKey(PrivateKey(KeyBlock(keyFormatType: .pkcs8, keyMaterial: .byteString(ByteString(encryptedPKCS8)),
                                                      cryptographicAlgorithm: .ecdsa, cryptographicLength: 256)))
        let privID = try await h.succeed(.register, priv, RegisterResponsePayload.self).uniqueIdentifier
        var pub = RegisterRequestPayload()
        pub.objectType = .publicKey
        pub.object = .publicKey(PublicKey(KeyBlock(keyFormatType: .x509, keyMaterial: .byteString(ByteString(brainpoolSPKI)),
                                                   cryptographicAlgorithm: .ecdsa, cryptographicLength: 256)))
        let pubID = try await h.succeed(.register, pub, RegisterResponsePayload.self).uniqueIdentifier
        var k1 = pub
        k1.object = .publicKey(PublicKey(KeyBlock(keyFormatType: .x509, keyMaterial: .byteString(ByteString(secp256k1SPKI)),
                                                  cryptographicAlgorithm: .ecdsa, cryptographicLength: 256)))
        let k1ID = try await h.succeed(.register, k1, RegisterResponsePayload.self).uniqueIdentifier
        let transparent = try await h.getKey(k1ID, format: .transparentECPublicKey)
        XCTAssertEqual(transparent.keyBlock?.keyFormatType, .transparentECPublicKey)
        let back = try await h.getKey(privID, format: .pkcs8)
        XCTAssertEqual(back.keyBlock?.plainKeyValue?.keyMaterial, .byteString(ByteString(encryptedPKCS8)))
        var raw = GetRequestPayload()
        raw.uniqueIdentifier = pubID
        raw.keyFormatType = .transparentECPublicKey
        await h.fail(.get, raw, .keyFormatTypeNotSupported)
    }

    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            out.append(UInt8(s[i..<j], radix: 16)!)
            i = j
        }
        return out
    }
}
