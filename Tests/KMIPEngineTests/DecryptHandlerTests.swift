import Foundation
import KMIP
import XCTest
@testable import KMIPEngine

final class DecryptHandlerTests: XCTestCase {
    let message = Array("Decrypt handler tests: streamed and one-shot, every part in order.".utf8)

    func testStreamedCBCDecryptionMatchesTheOASISVector() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.cipherKey(EncryptHandlerTests.aes128)
        let p = CryptographicParameters(.cbc, padding: .pkcs5)
        let iv = cipherTestBytes("01020304050607080910111213141516")
        let first = try await h.succeed(.decrypt, DecryptRequestPayload(uid, cipherTestBytes("79abc5c23868ad84d388ce61110a6274"), p, iv: iv, initial: true),
                                        DecryptResponsePayload.self)
        XCTAssertNil(first.data, "the last block is held back for the padding")
        let correlation = try XCTUnwrap(first.correlationValue)
        let second = try await h.succeed(.decrypt, DecryptRequestPayload(uid, cipherTestBytes("2bda19d694bbcb757dd06617c0d80fb1"), correlation: correlation),
                                         DecryptResponsePayload.self)
        let third = try await h.succeed(.decrypt, DecryptRequestPayload(uid, cipherTestBytes("df2e71864ad9633d7d797e30860df00d"), correlation: correlation, final: true),
                                        DecryptResponsePayload.self)
        XCTAssertNil(third.correlationValue)
        XCTAssertEqual(ByteString((second.data?.bytes ?? []) + (third.data?.bytes ?? [])).hex,
                       "010203040506070809101112131415160102030405060708091011121314151601")
    }

    func testStreamedGCMDecryptionVerifiesTheTagAtTheEnd() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.cipherKey(EncryptHandlerTests.aes128)
        let p = CryptographicParameters(.gcm, tagLength: 16)
        let nonce = [UInt8](repeating: 9, count: 12), aad = Array("aad".utf8)
        let out = try await h.succeed(.encrypt, EncryptRequestPayload(uid, message, p, iv: nonce, aad: aad), EncryptResponsePayload.self)
        let ciphertext = try XCTUnwrap(out.data).bytes, tag = try XCTUnwrap(out.authenticatedEncryptionTag).bytes
        for goodTag in [true, false] {
            let first = try await h.succeed(.decrypt, DecryptRequestPayload(uid, Array(ciphertext[0..<30]), p, iv: nonce, aad: aad, initial: true),
                                            DecryptResponsePayload.self)
            XCTAssertNil(first.data, "GCM withholds plaintext until the tag verifies")
            let correlation = try XCTUnwrap(first.correlationValue)
            let middle = try await h.succeed(.decrypt, DecryptRequestPayload(uid, Array(ciphertext[30..<50]), correlation: correlation),
                                             DecryptResponsePayload.self)
            XCTAssertNil(middle.data)
            var t = tag; if !goodTag { t[15] ^= 0x80 }
            let last = DecryptRequestPayload(uid, Array(ciphertext[50...]), tag: t, correlation: correlation, final: true)
            if goodTag {
                let end = try await h.succeed(.decrypt, last, DecryptResponsePayload.self)
                XCTAssertEqual(end.data?.bytes, message)
            } else {
                await h.fail(.decrypt, last, .cryptographicFailure)
                await h.fail(.decrypt, last, .itemNotFound)
            }
        }
    }

    func testDecryptRefusals() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.cipherKey(EncryptHandlerTests.aes128)
        let out = try await h.succeed(.encrypt, EncryptRequestPayload(uid, message), EncryptResponsePayload.self)
        // A mode with an IV and no IV: Invalid Message (CS-BC-M-13).
        await h.fail(.decrypt, DecryptRequestPayload(uid, out.data?.bytes), .invalidMessage)
        // Bad padding is Cryptographic Failure: the first block alone ends in a space, not in padding.
        await h.fail(.decrypt, DecryptRequestPayload(uid, Array(out.data!.bytes.prefix(16)), iv: out.ivCounterNonce?.bytes),
                     .cryptographicFailure)
        // GCM without its tag.
        await h.fail(.decrypt, DecryptRequestPayload(uid, message, CryptographicParameters(.gcm), iv: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), .invalidField)
        // Usage mask and state.
        let encryptOnly = try await h.cipherKey(EncryptHandlerTests.aes128, usage: [.encrypt])
        await h.fail(.decrypt, DecryptRequestPayload(encryptOnly, out.data?.bytes, iv: out.ivCounterNonce?.bytes), .permissionDenied)
        let preActive = try await h.cipherKey(EncryptHandlerTests.aes128, activate: false)
        await h.fail(.decrypt, DecryptRequestPayload(preActive, out.data?.bytes, iv: out.ivCounterNonce?.bytes), .permissionDenied)
        // A key that was revoked (Deactivated) still decrypts; it no longer encrypts.
        var revoke = RevokeRequestPayload()
        revoke.uniqueIdentifier = uid
        revoke.revocationReason = RevocationReason(.cessationOfOperation)
        _ = try await h.succeed(.revoke, revoke, RevokeResponsePayload.self)
        let back = try await h.succeed(.decrypt, DecryptRequestPayload(uid, out.data?.bytes, iv: out.ivCounterNonce?.bytes), DecryptResponsePayload.self)
        XCTAssertEqual(back.data?.bytes, message)
        await h.fail(.encrypt, EncryptRequestPayload(uid, message), .permissionDenied)
    }
}
