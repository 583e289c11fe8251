import Foundation
import KMIP
import KMIPCrypto
import XCTest
@testable import KMIPEngine

extension EngineHarness {
    /// Registers a symmetric key with known bytes (Active unless `activate` is false).
    func cipherKey(_ hex: String, algorithm: CryptographicAlgorithm = .aes, usage: CryptographicUsageMask = [.encrypt, .decrypt],
                   parameters: CryptographicParameters? = nil, attributes: [Attribute] = [], activate: Bool = true) async throws -> String {
        clock.advance()
        let bytes = ByteString(hex: hex)!
        var p = RegisterRequestPayload()
        p.objectType = .symmetricKey
        p.object = .symmetricKey(SymmetricKey(KeyBlock(keyFormatType: .raw, keyMaterial: .byteString(bytes), cryptographicAlgorithm: algorithm,
                                                        cryptographicLength: Int32(algorithm == .aes ? bytes.count * 8 : 168))))
        p.templateAttribute = TemplateAttribute([Attribute(usage)] + (parameters.map { [Attribute($0)] } ?? []) + attributes)
        let uid = try await succeed(.register, p, RegisterResponsePayload.self).uniqueIdentifier
        if activate { try await activateObject(uid) }
        return uid
    }

    func activateObject(_ uid: String) async throws {
        var activate = ActivateRequestPayload(); activate.uniqueIdentifier = uid
        _ = try await succeed(.activate, activate, ActivateResponsePayload.self)
    }

    /// Registers (and activates) an RSA key pair made by KMIPCrypto, in PKCS#1; returns (public, private) ids.
    func rsaPair(bits: Int = 2048) async throws -> (String, String) {
        let key = try AsymmetricKey.generateRSA(bits: bits)
        var ids: [String] = []
        for isPrivate in [false, true] {
            clock.advance()
            let der = isPrivate ? try key.pkcs1PrivateKey().bytes : try key.pkcs1PublicKey()
            let block = KeyBlock(keyFormatType: .pkcs1, keyMaterial: .byteString(ByteString(der)), cryptographicAlgorithm: .rsa,
                                 cryptographicLength: Int32(bits))
            var p = RegisterRequestPayload()
            p.objectType = isPrivate ? .privateKey : .publicKey
            p.object = isPrivate ? .privateKey(PrivateKey(block)) : .publicKey(PublicKey(block))
            p.templateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask(isPrivate ? [.decrypt] : [.encrypt]))])
            let uid = try await succeed(.register, p, RegisterResponsePayload.self).uniqueIdentifier
            try await activateObject(uid)
            ids.append(uid)
        }
        return (ids[0], ids[1])
    }
}

extension CryptographicParameters {
    init(_ mode: BlockCipherMode?, padding: PaddingMethod? = nil, randomIV: Bool? = nil, tagLength: Int32? = nil) {
        self.init()
        blockCipherMode = mode; paddingMethod = padding; self.randomIV = randomIV; self.tagLength = tagLength
    }
}

extension EncryptRequestPayload {
    init(_ uid: String?, _ data: [UInt8]?, _ parameters: CryptographicParameters? = nil, iv: [UInt8]? = nil, aad: [UInt8]? = nil,
         correlation: ByteString? = nil, initial: Bool? = nil, final: Bool? = nil) {
        self.init()
        uniqueIdentifier = uid; self.data = data.map { ByteString($0) }; cryptographicParameters = parameters
        ivCounterNonce = iv.map { ByteString($0) }; authenticatedEncryptionAdditionalData = aad.map { ByteString($0) }
        correlationValue = correlation; initIndicator = initial; finalIndicator = final
    }
}

extension DecryptRequestPayload {
    init(_ uid: String?, _ data: [UInt8]?, _ parameters: CryptographicParameters? = nil, iv: [UInt8]? = nil, aad: [UInt8]? = nil,
         tag: [UInt8]? = nil, correlation: ByteString? = nil, initial: Bool? = nil, final: Bool? = nil) {
        self.init()
        uniqueIdentifier = uid; self.data = data.map { ByteString($0) }; cryptographicParameters = parameters
        ivCounterNonce = iv.map { ByteString($0) }; authenticatedEncryptionAdditionalData = aad.map { ByteString($0) }
        authenticatedEncryptionTag = tag.map { ByteString($0) }
        correlationValue = correlation; initIndicator = initial; finalIndicator = final
    }
}

func cipherTestBytes(_ s: String) -> [UInt8] { ByteString(hex: s)!.bytes }

final class EncryptHandlerTests: XCTestCase {
    static let aes128 = "0123456789abcdef0123456789abcdef"
    static let des3 = "0123456789abcdeffedcba987654321089abcdef01234567"
    let message = Array("the quick brown fox jumps over the lazy dog".utf8)

    /// MongoDB: Create AES-256 → Activate → Encrypt with only the key id and the data → Decrypt with the IV.
    func testOnlyKeyAndDataMeansAESCBCPKCS5WithARandomIV() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.createKey(256)
        try await h.activateObject(uid)
        let out = try await h.succeed(.encrypt, EncryptRequestPayload(uid, message), EncryptResponsePayload.self, version: .v1_2)
        let iv = try XCTUnwrap(out.ivCounterNonce).bytes
        XCTAssertEqual(iv.count, 16)
        let data = try XCTUnwrap(out.data).bytes
        XCTAssertEqual(data.count, (message.count / 16 + 1) * 16, "CBC with PKCS5 padding")
        let plain = try await h.succeed(.decrypt, DecryptRequestPayload(uid, data, iv: iv), DecryptResponsePayload.self, version: .v1_2)
        XCTAssertEqual(plain.data?.bytes, message)
        let again = try await h.succeed(.decrypt, DecryptRequestPayload(uid, data, CryptographicParameters(.cbc, padding: .pkcs5), iv: iv),
                                        DecryptResponsePayload.self, version: .v1_2)
        XCTAssertEqual(again.data?.bytes, message)
        // Two encryptions use two IVs.
        let other = try await h.succeed(.encrypt, EncryptRequestPayload(uid, message), EncryptResponsePayload.self, version: .v1_2)
        XCTAssertNotEqual(other.ivCounterNonce, out.ivCounterNonce)
        // libmongocrypt: CBC, PKCS5, Random IV.
        let random = try await h.succeed(.encrypt, EncryptRequestPayload(uid, message, CryptographicParameters(.cbc, padding: .pkcs5, randomIV: true)),
                                         EncryptResponsePayload.self, version: .v1_2)
        let plain2 = try await h.succeed(.decrypt, DecryptRequestPayload(uid, random.data?.bytes, CryptographicParameters(.cbc, padding: .pkcs5),
                                                                         iv: random.ivCounterNonce?.bytes), DecryptResponsePayload.self, version: .v1_2)
        XCTAssertEqual(plain2.data?.bytes, message)
    }

    func testEveryModeRoundTripsWithARandomIVReturned() async throws {
        let h = try await EngineHarness.make()
        let aes = try await h.cipherKey(Self.aes128)
        let des = try await h.cipherKey(Self.des3, algorithm: .tripleDES)
        let cases: [(String, BlockCipherMode, PaddingMethod?, Int?)] = [
            (aes, .ecb, .pkcs5, nil), (aes, .cbc, .pkcs5, 16), (aes, .cfb, nil, 16), (aes, .ofb, nil, 16), (aes, .ctr, nil, 16), (aes, .gcm, nil, 12),
            (des, .ecb, .pkcs5, nil), (des, .cbc, .pkcs5, 8), (des, .cfb, nil, 8), (des, .ofb, nil, 8),
        ]
        for (uid, mode, padding, ivLength) in cases {
            let p = CryptographicParameters(mode, padding: padding, randomIV: true)
            let out = try await h.succeed(.encrypt, EncryptRequestPayload(uid, message, p), EncryptResponsePayload.self)
            XCTAssertEqual(out.ivCounterNonce?.count, ivLength, "\(mode)")
            XCTAssertEqual(out.authenticatedEncryptionTag?.count, mode == .gcm ? 16 : nil, "\(mode)")
            let back = try await h.succeed(.decrypt, DecryptRequestPayload(uid, out.data?.bytes, p, iv: out.ivCounterNonce?.bytes,
                                                                           tag: out.authenticatedEncryptionTag?.bytes), DecryptResponsePayload.self)
            XCTAssertEqual(back.data?.bytes, message, "\(mode)")
        }
    }

    func testKnownAnswersAndAModeWithoutPaddingMeansNone() async throws {
        let h = try await EngineHarness.make()
        let aes = try await h.cipherKey(Self.aes128)
        let out = try await h.succeed(.encrypt, EncryptRequestPayload(aes, cipherTestBytes("01020304050607080910111213141516"), CryptographicParameters(.ecb)),
                                      EncryptResponsePayload.self)
        XCTAssertEqual(out.data?.hex, "d9bcce11b0b437b90239552df3a360c9")
        XCTAssertNil(out.ivCounterNonce)
        // The TC-STREAM-ENCDEC vector: CBC, PKCS5, a given IV (not returned).
        let cbc = try await h.succeed(.encrypt, EncryptRequestPayload(aes, cipherTestBytes("010203040506070809101112131415160102030405060708091011121314151601"),
                                                                      CryptographicParameters(.cbc, padding: .pkcs5), iv: cipherTestBytes("01020304050607080910111213141516")),
                                      EncryptResponsePayload.self)
        XCTAssertEqual(cbc.data?.hex, "79abc5c23868ad84d388ce61110a62742bda19d694bbcb757dd06617c0d80fb1df2e71864ad9633d7d797e30860df00d")
        XCTAssertNil(cbc.ivCounterNonce)
        await h.fail(.encrypt, EncryptRequestPayload(aes, cipherTestBytes("0102"), CryptographicParameters(.ecb)), .invalidField)
    }

    func testTheObjectsCryptographicParametersApply() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.cipherKey(Self.aes128, parameters: CryptographicParameters(.ecb))
        let out = try await h.succeed(.encrypt, EncryptRequestPayload(uid, cipherTestBytes("01020304050607080910111213141516")), EncryptResponsePayload.self)
        XCTAssertEqual(out.data?.hex, "d9bcce11b0b437b90239552df3a360c9")
        let back = try await h.succeed(.decrypt, DecryptRequestPayload(uid, out.data?.bytes), DecryptResponsePayload.self)
        XCTAssertEqual(back.data?.hex, "01020304050607080910111213141516")
        // The request's parameters win.
        let cbc = try await h.succeed(.encrypt, EncryptRequestPayload(uid, message, CryptographicParameters(.cbc, padding: .pkcs5, randomIV: true)),
                                      EncryptResponsePayload.self)
        XCTAssertEqual(cbc.ivCounterNonce?.count, 16)
    }

    func testGCMWithAdditionalDataAndTags() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.cipherKey("feffe9928665731c6d6a8f9467308308")
        let plain = cipherTestBytes("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
        let iv = cipherTestBytes("cafebabefacedbad"), aad = cipherTestBytes("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let p = CryptographicParameters(.gcm, tagLength: 16)
        let out = try await h.succeed(.encrypt, EncryptRequestPayload(uid, plain, p, iv: iv, aad: aad), EncryptResponsePayload.self)
        XCTAssertEqual(out.data?.hex, "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598")
        XCTAssertEqual(out.authenticatedEncryptionTag?.hex, "3612d2e79e3b0785561be14aaca2fccb")
        let tag = try XCTUnwrap(out.authenticatedEncryptionTag).bytes
        let back = try await h.succeed(.decrypt, DecryptRequestPayload(uid, out.data?.bytes, p, iv: iv, aad: aad, tag: tag), DecryptResponsePayload.self)
        XCTAssertEqual(back.data?.bytes, plain)
        var wrong = tag; wrong[0] ^= 1
        await h.fail(.decrypt, DecryptRequestPayload(uid, out.data?.bytes, p, iv: iv, aad: aad, tag: wrong), .cryptographicFailure)
        await h.fail(.decrypt, DecryptRequestPayload(uid, out.data?.bytes, p, iv: iv, aad: [1], tag: tag), .cryptographicFailure)
        // A 12-byte tag is the truncated 16-byte one.
        let short = try await h.succeed(.decrypt, DecryptRequestPayload(uid, out.data?.bytes, CryptographicParameters(.gcm, tagLength: 12), iv: iv,
                                                                        aad: aad, tag: Array(tag.prefix(12))), DecryptResponsePayload.self)
        XCTAssertEqual(short.data?.bytes, plain)
        // Impossible tag lengths: General Failure, as CS-BC-M-GCM-1 expects.
        await h.fail(.encrypt, EncryptRequestPayload(uid, plain, CryptographicParameters(.gcm, tagLength: 1), iv: iv), .generalFailure)
        await h.fail(.encrypt, EncryptRequestPayload(uid, plain, CryptographicParameters(.gcm, tagLength: 32), iv: iv), .generalFailure)
    }

    func testUsageMaskStateAndUsageLimitsGateEncrypt() async throws {
        let h = try await EngineHarness.make()
        let decryptOnly = try await h.cipherKey(Self.aes128, usage: [.decrypt])
        await h.fail(.encrypt, EncryptRequestPayload(decryptOnly, message), .permissionDenied)
        let preActive = try await h.cipherKey(Self.aes128, activate: false)
        await h.fail(.encrypt, EncryptRequestPayload(preActive, message), .permissionDenied)
        var limits = UsageLimits(); limits.usageLimitsTotal = 16; limits.usageLimitsUnit = .byte
        let limited = try await h.cipherKey(Self.aes128, attributes: [Attribute(limits)])
        let block = cipherTestBytes("01020304050607080910111213141516")
        _ = try await h.succeed(.encrypt, EncryptRequestPayload(limited, block, CryptographicParameters(.ecb)), EncryptResponsePayload.self)
        await h.fail(.encrypt, EncryptRequestPayload(limited, block, CryptographicParameters(.ecb)), .permissionDenied)
        await h.fail(.encrypt, EncryptRequestPayload("no-such-key", message), .itemNotFound)
        let secret = try await h.registerSecret()
        await h.fail(.encrypt, EncryptRequestPayload(secret, message), .permissionDenied)
    }

    func testStreamingInThreeChunksEqualsOneShot() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.cipherKey(Self.aes128)
        let iv = cipherTestBytes("01020304050607080910111213141516")
        let p = CryptographicParameters(.cbc, padding: .pkcs5)
        let whole = try await h.succeed(.encrypt, EncryptRequestPayload(uid, message, p, iv: iv), EncryptResponsePayload.self)
        let first = try await h.succeed(.encrypt, EncryptRequestPayload(uid, Array(message[0..<10]), p, iv: iv, initial: true), EncryptResponsePayload.self)
        let correlation = try XCTUnwrap(first.correlationValue)
        XCTAssertNil(first.data, "10 bytes make no CBC block yet")
        let second = try await h.succeed(.encrypt, EncryptRequestPayload(uid, Array(message[10..<30]), correlation: correlation), EncryptResponsePayload.self)
        XCTAssertEqual(second.correlationValue, correlation)
        let third = try await h.succeed(.encrypt, EncryptRequestPayload(nil, Array(message[30...]), correlation: correlation, final: true),
                                        EncryptResponsePayload.self)
        XCTAssertNil(third.correlationValue)
        XCTAssertEqual(third.uniqueIdentifier, uid)
        XCTAssertEqual((first.data?.bytes ?? []) + (second.data?.bytes ?? []) + (third.data?.bytes ?? []), whole.data?.bytes)
        // The stream is closed.
        await h.fail(.encrypt, EncryptRequestPayload(uid, message, correlation: correlation), .itemNotFound)
    }

    func testStreamingGCMWithARandomNonce() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.cipherKey(Self.aes128)
        let p = CryptographicParameters(.gcm, randomIV: true, tagLength: 16)
        let aad = Array("header".utf8)
        let first = try await h.succeed(.encrypt, EncryptRequestPayload(uid, Array(message[0..<20]), p, aad: aad, initial: true), EncryptResponsePayload.self)
        let nonce = try XCTUnwrap(first.ivCounterNonce).bytes
        XCTAssertEqual(nonce.count, 12)
        let correlation = try XCTUnwrap(first.correlationValue)
        let last = try await h.succeed(.encrypt, EncryptRequestPayload(uid, Array(message[20...]), correlation: correlation, final: true),
                                       EncryptResponsePayload.self)
        let ciphertext = (first.data?.bytes ?? []) + (last.data?.bytes ?? [])
        let tag = try XCTUnwrap(last.authenticatedEncryptionTag).bytes
        let whole = try await h.succeed(.encrypt, EncryptRequestPayload(uid, message, CryptographicParameters(.gcm), iv: nonce, aad: aad),
                                        EncryptResponsePayload.self)
        XCTAssertEqual(whole.data?.bytes, ciphertext)
        XCTAssertEqual(whole.authenticatedEncryptionTag?.bytes, tag)
    }

    func testAStreamBelongsToItsOwner() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.cipherKey(Self.aes128)
        let p = CryptographicParameters(.ctr)
        let first = try await h.succeed(.encrypt, EncryptRequestPayload(uid, message, p, iv: [UInt8](repeating: 0, count: 16), initial: true),
                                        EncryptResponsePayload.self)
        let correlation = try XCTUnwrap(first.correlationValue)
        XCTAssertEqual(first.data?.count, message.count)
        let other = try await h.makeClient(scope: "default", role: "other")
        await h.fail(.encrypt, EncryptRequestPayload(uid, message, correlation: correlation), .itemNotFound, as: other)
        await h.fail(.decrypt, DecryptRequestPayload(uid, message, correlation: correlation), .itemNotFound)
        await h.fail(.encrypt, EncryptRequestPayload(uid, message, correlation: ByteString([UInt8](repeating: 7, count: 16))), .itemNotFound)
        // The owner goes on.
        _ = try await h.succeed(.encrypt, EncryptRequestPayload(uid, message, correlation: correlation, final: true), EncryptResponsePayload.self)
        // A failed step closes the stream.
        let second = try await h.succeed(.encrypt, EncryptRequestPayload(uid, nil, p, iv: [UInt8](repeating: 0, count: 16), initial: true),
                                         EncryptResponsePayload.self)
        let c2 = try XCTUnwrap(second.correlationValue)
        await h.fail(.encrypt, EncryptRequestPayload("another", message, correlation: c2), .invalidField)
        await h.fail(.encrypt, EncryptRequestPayload(uid, message, correlation: c2), .itemNotFound)
    }

    func testRSAEncryptionWithOAEPAndPKCS1() async throws {
        let h = try await EngineHarness.make()
        let (publicKey, privateKey) = try await h.rsaPair()
        var oaep = CryptographicParameters(nil, padding: .oaep)
        oaep.hashingAlgorithm = .sha256
        let out = try await h.succeed(.encrypt, EncryptRequestPayload(publicKey, message, oaep), EncryptResponsePayload.self)
        XCTAssertEqual(out.data?.count, 256)
        let back = try await h.succeed(.decrypt, DecryptRequestPayload(privateKey, out.data?.bytes, oaep), DecryptResponsePayload.self)
        XCTAssertEqual(back.data?.bytes, message)
        var sha1 = oaep; sha1.hashingAlgorithm = .sha1
        await h.fail(.decrypt, DecryptRequestPayload(privateKey, out.data?.bytes, sha1), .cryptographicFailure)
        let pkcs1 = CryptographicParameters(nil, padding: .pkcs1V15)
        let out2 = try await h.succeed(.encrypt, EncryptRequestPayload(publicKey, message, pkcs1), EncryptResponsePayload.self)
        let back2 = try await h.succeed(.decrypt, DecryptRequestPayload(privateKey, out2.data?.bytes, pkcs1), DecryptResponsePayload.self)
        XCTAssertEqual(back2.data?.bytes, message)
        // RSA is single-part; a public key does not decrypt; the private key's mask has no Encrypt.
        await h.fail(.encrypt, EncryptRequestPayload(publicKey, message, oaep, initial: true), .invalidField)
        await h.fail(.decrypt, DecryptRequestPayload(publicKey, out.data?.bytes, oaep), .permissionDenied)
        await h.fail(.encrypt, EncryptRequestPayload(privateKey, message, oaep), .permissionDenied)
    }
}

/// ChaCha20 and ChaCha20-Poly1305 keys through Encrypt and Decrypt over KMIP 1.4 (the algorithms
/// are in its enumeration), with the vectors of KMIPCryptoTests.ChaChaCipherTests.
final class ChaChaHandlerTests: XCTestCase {
    func register(_ h: EngineHarness, _ algorithm: CryptographicAlgorithm, _ hex: String) async throws -> String {
        var p = RegisterRequestPayload()
        p.objectType = .symmetricKey
        p.object = .symmetricKey(SymmetricKey(KeyBlock(keyFormatType: .raw, keyMaterial: .byteString(ByteString(hex: hex)!),
                                                        cryptographicAlgorithm: algorithm, cryptographicLength: 256)))
        p.templateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.encrypt, .decrypt]))])
        let uid = try await h.succeed(.register, p, RegisterResponsePayload.self).uniqueIdentifier
        try await h.activateObject(uid)
        return uid
    }

    func testTheAEADRoundTripsAndRefusesAnAlteredTag() async throws {
        let h = try await EngineHarness.make()
        let uid = try await register(h, .chaCha20Poly1305, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
        let message = Array("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.".utf8)
        var p = CryptographicParameters()
        p.blockCipherMode = .aead
        p.tagLength = 16
        let nonce = cipherTestBytes("070000004041424344454647"), aad = cipherTestBytes("50515253c0c1c2c3c4c5c6c7")
        let out = try await h.succeed(.encrypt, EncryptRequestPayload(uid, message, p, iv: nonce, aad: aad), EncryptResponsePayload.self)
        XCTAssertEqual(out.data?.bytes.prefix(8), cipherTestBytes("d31a8d34648e60db")[...])
        XCTAssertEqual(out.authenticatedEncryptionTag?.bytes, cipherTestBytes("1ae10b594f09e26a7e902ecbd0600691"))
        let back = try await h.succeed(.decrypt, DecryptRequestPayload(uid, out.data?.bytes, p, iv: nonce, aad: aad,
                                                                       tag: out.authenticatedEncryptionTag?.bytes), DecryptResponsePayload.self)
        XCTAssertEqual(back.data?.bytes, message)
        var bad = out.authenticatedEncryptionTag!.bytes
        bad[0] ^= 0xff
        try await h.fail(.decrypt, DecryptRequestPayload(uid, out.data?.bytes, p, iv: nonce, aad: aad, tag: bad), .cryptographicFailure)
        // No nonce given: the server draws 12 bytes and returns them; a stream is refused.
        let drawn = try await h.succeed(.encrypt, EncryptRequestPayload(uid, message), EncryptResponsePayload.self)
        XCTAssertEqual(drawn.ivCounterNonce?.count, 12)
        let again = try await h.succeed(.decrypt, DecryptRequestPayload(uid, drawn.data?.bytes, iv: drawn.ivCounterNonce?.bytes,
                                                                        tag: drawn.authenticatedEncryptionTag?.bytes), DecryptResponsePayload.self)
        XCTAssertEqual(again.data?.bytes, message)
        try await h.fail(.encrypt, EncryptRequestPayload(uid, message, initial: true), .invalidField)
        try await h.fail(.decrypt, DecryptRequestPayload(uid, drawn.data?.bytes, tag: drawn.authenticatedEncryptionTag?.bytes), .invalidMessage)
    }

    func testChaCha20GivesTheOASISKeystream() async throws {
        let h = try await EngineHarness.make()
        let uid = try await register(h, .chaCha20, String(repeating: "00", count: 32))
        let zeros = [UInt8](repeating: 0, count: 64)
        let out = try await h.succeed(.encrypt, EncryptRequestPayload(uid, zeros, iv: [UInt8](repeating: 0, count: 8)), EncryptResponsePayload.self)
        XCTAssertEqual(out.data?.bytes, cipherTestBytes(
            "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586"))
        XCTAssertNil(out.authenticatedEncryptionTag)
        let back = try await h.succeed(.decrypt, DecryptRequestPayload(uid, out.data?.bytes, iv: [UInt8](repeating: 0, count: 8)),
                                       DecryptResponsePayload.self)
        XCTAssertEqual(back.data?.bytes, zeros)
        try await h.fail(.encrypt, EncryptRequestPayload(uid, zeros, CryptographicParameters(.cbc), iv: [UInt8](repeating: 0, count: 8)), .invalidField)
    }
}
