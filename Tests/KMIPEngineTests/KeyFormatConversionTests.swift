import KMIP
import KMIPCrypto
import XCTest
@testable import KMIPEngine

/// Get of Public and Private Keys in every supported Key Format Type, each answer read back
/// through KMIPCrypto and compared with the stored key.
final class KeyFormatConversionTests: XCTestCase {
    func testRSAKeysInEveryFormat() async throws {
        let h = try await EngineHarness.make()
        let pair = try await h.createKeyPair([Attribute(CryptographicAlgorithm.rsa), Attribute(name: "Cryptographic Length", value: .integer(2048))])
        try await assertRoundTrips(h, pair, algorithm: .rsa,
                                   privateFormats: [.pkcs1, .pkcs8, .transparentRSAPrivateKey],
                                   publicFormats: [.pkcs1, .x509, .transparentRSAPublicKey])
        for format: KeyFormatType in [.raw, .x509, .eCPrivateKey, .transparentECPrivateKey, .transparentRSAPublicKey, .opaque, .transparentSymmetricKey] {
            await h.fail(.get, get(pair.private, format), .keyFormatTypeNotSupported)
        }
        for format: KeyFormatType in [.raw, .pkcs8, .transparentRSAPrivateKey, .transparentECPublicKey, .opaque] {
            await h.fail(.get, get(pair.public, format), .keyFormatTypeNotSupported)
        }
    }

    func testECKeysInEveryFormat() async throws {
        let h = try await EngineHarness.make()
        var curve = CryptographicDomainParameters()
        curve.recommendedCurve = .p384
        let pair = try await h.createKeyPair([Attribute(CryptographicAlgorithm.ec), Attribute(curve)])
        try await assertRoundTrips(h, pair, algorithm: .ec, curve: .p384,
                                   privateFormats: [.raw, .pkcs8, .eCPrivateKey, .transparentECPrivateKey, .transparentECDSAPrivateKey],
                                   publicFormats: [.raw, .x509, .transparentECPublicKey, .transparentECDSAPublicKey])
        for format: KeyFormatType in [.pkcs1, .transparentRSAPrivateKey, .x509] {
            await h.fail(.get, get(pair.private, format), .keyFormatTypeNotSupported)
        }
        await h.fail(.get, get(pair.public, .pkcs1), .keyFormatTypeNotSupported)
    }

    func testEd25519KeysInEveryFormat() async throws {
        let h = try await EngineHarness.make()
        let pair = try await h.createKeyPair([Attribute(CryptographicAlgorithm.ed25519)])
        try await assertRoundTrips(h, pair, algorithm: .ed25519, privateFormats: [.raw, .pkcs8], publicFormats: [.raw, .x509])
        for format: KeyFormatType in [.pkcs1, .eCPrivateKey, .transparentECPrivateKey] {
            await h.fail(.get, get(pair.private, format), .keyFormatTypeNotSupported)
        }
    }

    /// A key registered in a transparent format comes back in a DER one, and the other way round.
    func testRegisteredTransparentRSAKeyConverts() async throws {
        let h = try await EngineHarness.make()
        let key = try AsymmetricKey.generateRSA(bits: 1024)
        var p = RegisterRequestPayload()
        p.objectType = .privateKey
        p.object = .privateKey(PrivateKey(KeyBlock(keyFormatType: .transparentRSAPrivateKey, keyMaterial: try key.keyMaterial(.transparentRSAPrivateKey),
                                                   cryptographicAlgorithm: .rsa, cryptographicLength: 1024)))
        p.templateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.sign]))])
        let uid = try await h.succeed(.register, p, RegisterResponsePayload.self).uniqueIdentifier
        let pkcs8 = try await h.getKey(uid, format: .pkcs8)
        let back = try XCTUnwrap(try KMIPEngine.asymmetricKey(of: pkcs8))
        XCTAssertTrue(back.publicKeyMatches(key))
        XCTAssertEqual(try back.pkcs1PrivateKey().bytes, try key.pkcs1PrivateKey().bytes)
    }

    func get(_ uid: String, _ format: KeyFormatType) -> GetRequestPayload {
        var p = GetRequestPayload()
        p.uniqueIdentifier = uid
        p.keyFormatType = format
        return p
    }

    func assertRoundTrips(_ h: EngineHarness, _ pair: (private: String, public: String), algorithm: CryptographicAlgorithm,
                          curve: RecommendedCurve? = nil, privateFormats: [KeyFormatType], publicFormats: [KeyFormatType],
                          file: StaticString = #filePath, line: UInt = #line) async throws {
        let reference = try await h.asymmetric(pair.public)
        for (uid, isPrivate, formats) in [(pair.private, true, privateFormats), (pair.public, false, publicFormats)] {
            for format in formats {
                let object = try await h.getKey(uid, format: format, file: file, line: line)
                let block = try XCTUnwrap(object.keyBlock, file: file, line: line)
                XCTAssertEqual(block.keyFormatType, format, file: file, line: line)
                let material = try XCTUnwrap(block.plainKeyValue?.keyMaterial, file: file, line: line)
                let key = try AsymmetricKey.importing(material, format: format, algorithm: algorithm, curve: curve, isPrivate: isPrivate)
                XCTAssertEqual(key.isPrivate, isPrivate, "\(format)", file: file, line: line)
                XCTAssertTrue(try key.publicKey().publicKeyMatches(reference), "\(format) holds another key", file: file, line: line)
            }
        }
    }
}
