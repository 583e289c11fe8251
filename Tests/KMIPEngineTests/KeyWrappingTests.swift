import Foundation
import KMIP
import KMIPCrypto
import XCTest
@testable import KMIPEngine

/// Get with a Key Wrapping Specification (KMIP 1.4 §2.1.5–2.1.6, §4.11): AES Key Wrap (RFC 3394 and
/// 5649) and RSA OAEP, No Encoding and TTLV Encoding, the wrapping key's checks, Sensitive and
/// Extractable.
final class KeyWrappingTests: XCTestCase {
    static let kekHex = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
    static let dekHex = "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F"

    func spec(_ kek: String, _ mode: BlockCipherMode? = .nISTKeyWrap, encoding: EncodingOption? = .noEncoding,
              method: WrappingMethod = .encrypt, parameters: CryptographicParameters? = nil) -> KeyWrappingSpecification {
        var s = KeyWrappingSpecification()
        s.wrappingMethod = method
        s.encryptionKeyInformation = EncryptionKeyInformation(kek, parameters ?? mode.map { CryptographicParameters($0) })
        s.encodingOption = encoding
        return s
    }

    func get(_ uid: String, _ spec: KeyWrappingSpecification?) -> GetRequestPayload {
        var p = GetRequestPayload()
        p.uniqueIdentifier = uid
        p.keyWrappingSpecification = spec
        return p
    }

    func wrappedBlock(_ h: EngineHarness, _ uid: String, _ spec: KeyWrappingSpecification,
                      file: StaticString = #filePath, line: UInt = #line) async throws -> KeyBlock {
        let response = try await h.succeed(.get, get(uid, spec), GetResponsePayload.self, file: file, line: line)
        return try XCTUnwrap(response.object?.keyBlock, file: file, line: line)
    }

    func wrappedBytes(_ block: KeyBlock, file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
        guard case .wrapped(let b)? = block.keyValue else {
            XCTFail("the Key Value is not wrapped", file: file, line: line)
            return []
        }
        return b.bytes
    }

    func testAESKeyWrapNoEncodingRoundTrips() async throws {
        let h = try await EngineHarness.make()
        let kek = try await h.cipherKey(Self.kekHex, usage: [.wrapKey, .unwrapKey])
        let dek = try await h.cipherKey(Self.dekHex)
        let block = try await wrappedBlock(h, dek, spec(kek))
        XCTAssertEqual(block.keyFormatType, .raw)
        XCTAssertEqual(block.cryptographicAlgorithm, .aes)
        XCTAssertEqual(block.cryptographicLength, 256)
        let data = try XCTUnwrap(block.keyWrappingData)
        XCTAssertEqual(data.wrappingMethod, .encrypt)
        XCTAssertEqual(data.encryptionKeyInformation?.uniqueIdentifier, kek)
        XCTAssertEqual(data.encryptionKeyInformation?.cryptographicParameters?.blockCipherMode, .nISTKeyWrap)
        XCTAssertEqual(data.encodingOption, .noEncoding)
        let wrapped = try wrappedBytes(block)
        XCTAssertEqual(wrapped.count, 40)
        let unwrap = try AESKeyWrap(keyEncryptionKey: SecretBytes(ByteString(hex: Self.kekHex)!.bytes), variant: .rfc3394)
        XCTAssertEqual(try unwrap.unwrap(wrapped).bytes, ByteString(hex: Self.dekHex)!.bytes)
    }

    func testRFC3394KnownAnswer() async throws {
        // RFC 3394 §4.6: 256-bit key data wrapped with a 256-bit KEK.
        let h = try await EngineHarness.make()
        let kek = try await h.cipherKey(Self.kekHex, usage: [.wrapKey])
        let dek = try await h.cipherKey(Self.dekHex)
        let wrapped = try wrappedBytes(try await wrappedBlock(h, dek, spec(kek)))
        XCTAssertEqual(wrapped, ByteString(hex: "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21")!.bytes)
    }

    func testDefaultModeAndParametersFromTheWrappingKey() async throws {
        let h = try await EngineHarness.make()
        let kek = try await h.cipherKey(Self.kekHex, usage: [.wrapKey], parameters: CryptographicParameters(.nISTKeyWrap))
        let dek = try await h.cipherKey(Self.dekHex)
        // No Cryptographic Parameters in the request: the wrapping key's apply (NISTKeyWrap).
        let wrapped = try wrappedBytes(try await wrappedBlock(h, dek, spec(kek, nil)))
        let unwrap = try AESKeyWrap(keyEncryptionKey: SecretBytes(ByteString(hex: Self.kekHex)!.bytes), variant: .rfc3394)
        XCTAssertEqual(try unwrap.unwrap(wrapped).bytes, ByteString(hex: Self.dekHex)!.bytes)
    }

    func testTTLVEncodingIsTheDefaultAndWrapsTheKeyValue() async throws {
        let h = try await EngineHarness.make()
        let kek = try await h.cipherKey(Self.kekHex, usage: [.wrapKey])
        let dek = try await h.cipherKey(Self.dekHex)
        var s = spec(kek, encoding: nil)
        s.attributeNames = ["Cryptographic Usage Mask"]
        let block = try await wrappedBlock(h, dek, s)
        XCTAssertNil(block.keyWrappingData?.encodingOption)
        let unwrap = try AESKeyWrap(keyEncryptionKey: SecretBytes(ByteString(hex: Self.kekHex)!.bytes), variant: .rfc3394)
        let plain = try unwrap.unwrap(try wrappedBytes(block)).bytes
        var context = DecodingContext()
        context.keyFormatType = .raw
        let value = try KeyValue(ttlv: plain, tag: .keyValue, context: context)
        XCTAssertEqual(value.keyMaterial, .byteString(ByteString(hex: Self.dekHex)!))
        XCTAssertEqual(value.attributes.first?.attributeName, "Cryptographic Usage Mask")
    }

    func testRFC5649WrapsASecretOfAnyLength() async throws {
        let h = try await EngineHarness.make()
        let kek = try await h.cipherKey(Self.kekHex, usage: [.wrapKey])
        let secret = try await h.registerSecret()   // "s3cret": 6 bytes
        let wrapped = try wrappedBytes(try await wrappedBlock(h, secret, spec(kek, .aESKeyWrapPadding)))
        let unwrap = try AESKeyWrap(keyEncryptionKey: SecretBytes(ByteString(hex: Self.kekHex)!.bytes), variant: .rfc5649)
        XCTAssertEqual(try unwrap.unwrap(wrapped).bytes, Array("s3cret".utf8))
        // RFC 3394 cannot wrap 6 bytes.
        await h.fail(.get, get(secret, spec(kek, .nISTKeyWrap)), .invalidField)
    }

    func testRSAOAEPWrapping() async throws {
        let h = try await EngineHarness.make()
        let pair = try AsymmetricKey.generateRSA(bits: 2048)
        h.clock.advance()
        var p = RegisterRequestPayload()
        p.objectType = .publicKey
        p.object = .publicKey(PublicKey(KeyBlock(keyFormatType: .pkcs1, keyMaterial: .byteString(ByteString(try pair.pkcs1PublicKey())),
                                                 cryptographicAlgorithm: .rsa, cryptographicLength: 2048)))
        p.templateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.wrapKey]))])
        let publicKey = try await h.succeed(.register, p, RegisterResponsePayload.self).uniqueIdentifier
        try await h.activateObject(publicKey)
        let dek = try await h.cipherKey(Self.dekHex)
        var parameters = CryptographicParameters()
        parameters.paddingMethod = .oaep
        parameters.hashingAlgorithm = .sha256
        let block = try await wrappedBlock(h, dek, spec(publicKey, parameters: parameters))
        let wrapped = try wrappedBytes(block)
        XCTAssertEqual(wrapped.count, 256)
        let plain = try pair.decrypt(wrapped, padding: .oaep(digest: .sha256, mgf1: nil, label: []))
        XCTAssertEqual(plain.bytes, ByteString(hex: Self.dekHex)!.bytes)
        XCTAssertEqual(block.keyWrappingData?.encryptionKeyInformation?.cryptographicParameters?.paddingMethod, .oaep)
    }

    func testSensitiveKeyLeavesOnlyWrapped() async throws {
        let h = try await EngineHarness.make()
        let kek = try await h.cipherKey(Self.kekHex, usage: [.wrapKey])
        let dek = try await h.createKey(attributes: [Attribute(name: "Sensitive", value: .boolean(true))])
        await h.fail(.get, get(dek, nil), .sensitive)
        let block = try await wrappedBlock(h, dek, spec(kek))
        XCTAssertEqual(try wrappedBytes(block).count, 40)
    }

    func testNotExtractableKeyNeverLeaves() async throws {
        let h = try await EngineHarness.make()
        let kek = try await h.cipherKey(Self.kekHex, usage: [.wrapKey])
        let dek = try await h.createKey(attributes: [Attribute(name: "Extractable", value: .boolean(false))])
        await h.fail(.get, get(dek, nil), .notExtractable)
        await h.fail(.get, get(dek, spec(kek)), .notExtractable)
    }

    func testWrappingKeyChecks() async throws {
        let h = try await EngineHarness.make()
        let dek = try await h.cipherKey(Self.dekHex)
        // Without Wrap Key in its usage mask.
        let encryptOnly = try await h.cipherKey(Self.kekHex, usage: [.encrypt])
        await h.fail(.get, get(dek, spec(encryptOnly)), .permissionDenied)
        // Not Active.
        let preActive = try await h.cipherKey(Self.kekHex, usage: [.wrapKey], activate: false)
        await h.fail(.get, get(dek, spec(preActive)), .permissionDenied)
        // Unknown.
        await h.fail(.get, get(dek, spec("no-such-key")), .itemNotFound)
        // Itself.
        let selfWrapping = try await h.cipherKey(Self.kekHex, usage: [.wrapKey])
        await h.fail(.get, get(selfWrapping, spec(selfWrapping)), .illegalOperation)
        // Another scope's key is not found.
        let other = try await h.makeClient(scope: "other")
        let foreign = try await h.createKey(as: other)
        await h.fail(.get, get(dek, spec(foreign)), .itemNotFound)
    }

    func testUnsupportedMethodsModesAndEncodings() async throws {
        let h = try await EngineHarness.make()
        let kek = try await h.cipherKey(Self.kekHex, usage: [.wrapKey])
        let dek = try await h.cipherKey(Self.dekHex)
        await h.fail(.get, get(dek, spec(kek, method: .macSign)), .operationNotSupported)
        await h.fail(.get, get(dek, spec(kek, method: .encryptThenMACSign)), .operationNotSupported)
        await h.fail(.get, get(dek, spec(kek, .cbc)), .operationNotSupported)
        var noInformation = spec(kek)
        noInformation.encryptionKeyInformation = nil
        await h.fail(.get, get(dek, noInformation), .invalidField)
        var attributesWithoutTTLV = spec(kek)
        attributesWithoutTTLV.attributeNames = ["Name"]
        await h.fail(.get, get(dek, attributesWithoutTTLV), .encodingOptionError)
        // A DES3 wrapping key is not AES Key Wrap.
        let des = try await h.cipherKey("0123456789ABCDEFFEDCBA987654321089ABCDEF01234567", algorithm: .tripleDES, usage: [.wrapKey])
        await h.fail(.get, get(dek, spec(des)), .operationNotSupported)
    }

    func testRefusedWrappedGetLeavesTheKeyFresh() async throws {
        let h = try await EngineHarness.make()
        let dek = try await h.createKey()
        let kek = try await h.cipherKey(Self.kekHex, usage: [.encrypt])
        await h.fail(.get, get(dek, spec(kek)), .permissionDenied)
        let record = try await h.record(dek)
        XCTAssertEqual(record?.attributes.first(AttributeName.fresh)?.value(as: Bool.self), true)
    }
}
