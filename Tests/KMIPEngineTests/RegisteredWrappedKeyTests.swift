import KMIP
import KMIPCrypto
import XCTest
@testable import KMIPEngine

/// Keys registered wrapped (KMIP 1.4 §2.1.5, TC-WRAP-1…3-14): stored as sent, never used as key
/// material, returned as stored, unwrapped on Get with Key Wrap Type Not Wrapped, and wrapped anew
/// under another key when a Key Wrapping Specification asks for one.
final class RegisteredWrappedKeyTests: XCTestCase {
    static let kek1 = "000102030405060708090A0B0C0D0E0F"
    static let kek2 = "0F0E0D0C0B0A09080706050403020100"
    static let dek = "00112233445566778899AABBCCDDEEFF"

    func testARegisteredWrappedKeyIsServedAsStoredUnwrappedOrRewrapped() async throws {
        let h = try await EngineHarness.make()
        let kek1 = try await h.cipherKey(Self.kek1, usage: [.wrapKey])
        let kek2 = try await h.cipherKey(Self.kek2, usage: [.wrapKey, .unwrapKey])
        let dek = ByteString(hex: Self.dek)!.bytes
        let wrapped = try AESKeyWrap(keyEncryptionKey: SecretBytes(ByteString(hex: Self.kek1)!.bytes), variant: .rfc3394).wrap(SecretBytes(dek))

        var block = KeyBlock()
        block.keyFormatType = .raw
        block.keyValue = .wrappedKeyMaterial(ByteString(wrapped))
        block.cryptographicAlgorithm = .aes
        block.cryptographicLength = 128
        var data = KeyWrappingData()
        data.encryptionKeyInformation = EncryptionKeyInformation(kek1, CryptographicParameters(.nISTKeyWrap))
        data.encodingOption = .noEncoding
        block.keyWrappingData = data
        var register = RegisterRequestPayload()
        register.objectType = .symmetricKey
        register.object = .symmetricKey(SymmetricKey(block))
        register.templateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.encrypt, .decrypt]))])
        let uid = try await h.succeed(.register, register, RegisterResponsePayload.self).uniqueIdentifier
        try await h.activateObject(uid)

        // Never used as a key: its bytes are wrapped.
        await h.fail(.encrypt, EncryptRequestPayload(uid, Array(repeating: 1, count: 16), CryptographicParameters(.cbc, padding: .pkcs5)),
                     .cryptographicFailure)
        // As stored, and as stored when asked for the wrapping it has.
        for asked in [nil, KeyWrappingSpecification.aesKeyWrap(kek1)] {
            let served = try await h.keyBlock(uid, spec: asked)
            XCTAssertEqual(served.keyValue, .wrappedKeyMaterial(ByteString(wrapped)))
            XCTAssertEqual(served.keyWrappingData?.encryptionKeyInformation?.uniqueIdentifier, kek1)
        }
        // Unwrapped with the key its Key Wrapping Data names (Wrap Key in its mask is enough).
        let plain = try await h.keyBlock(uid, wrapType: .notWrapped)
        XCTAssertEqual(plain.plainKeyValue?.keyMaterial, .byteString(ByteString(dek)))
        XCTAssertNil(plain.keyWrappingData)
        // Wrapped anew under another key.
        let rewrapped = try await h.keyBlock(uid, spec: .aesKeyWrap(kek2))
        XCTAssertEqual(rewrapped.keyWrappingData?.encryptionKeyInformation?.uniqueIdentifier, kek2)
        guard case .wrapped(let bytes)? = rewrapped.keyValue else { return XCTFail("wrapped under the second key") }
        let unwrap = try AESKeyWrap(keyEncryptionKey: SecretBytes(ByteString(hex: Self.kek2)!.bytes), variant: .rfc3394)
        XCTAssertEqual(try unwrap.unwrap(bytes.bytes).bytes, dek)

        // A Deactivated key still unwraps (processing), one without Wrap Key or Unwrap Key never.
        var revoke = RevokeRequestPayload(); revoke.uniqueIdentifier = kek1
        revoke.revocationReason = RevocationReason(.cessationOfOperation)
        _ = try await h.succeed(.revoke, revoke, RevokeResponsePayload.self)
        _ = try await h.keyBlock(uid, wrapType: .notWrapped)
        let plainKEK = try await h.cipherKey(Self.kek2, usage: [.encrypt, .decrypt])
        data.encryptionKeyInformation = EncryptionKeyInformation(plainKEK, CryptographicParameters(.nISTKeyWrap))
        block.keyWrappingData = data
        register.object = .symmetricKey(SymmetricKey(block))
        let other = try await h.succeed(.register, register, RegisterResponsePayload.self).uniqueIdentifier
        var refused = GetRequestPayload(); refused.uniqueIdentifier = other; refused.keyWrapType = .notWrapped
        await h.fail(.get, refused, .permissionDenied)
    }
}
