import Foundation
import KMIP
import KMIPPKI
import Logging
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

    /// Streamed GCM decryption holds unverified plaintext: each client's streams within their
    /// budget, all streams within the server's; past it, a clear refusal and the stream is closed.
    func testStreamedGCMDecryptionStaysWithinTheMemoryBudgets() async throws {
        let h = try await EngineHarness.make()
        let engine = KMIPEngine(objects: h.objects, mount: h.mount, logger: Logger(label: "test"), clock: { h.clock.now },
                                streamHeldPerClient: 64, streamHeldTotal: 100)
        let uid = try await h.cipherKey(EncryptHandlerTests.aes128)
        let other = try await h.makeClient(scope: "default", role: "other")
        let p = CryptographicParameters(.gcm, tagLength: 16)
        let nonce = [UInt8](repeating: 9, count: 12)
        func send(_ payload: DecryptRequestPayload, as client: ClientIdentity) async -> ResponseBatchItem {
            let request = RequestMessage(header: RequestHeader(protocolVersion: .v1_4, batchCount: 1),
                                         batchItems: [RequestBatchItem(operation: .decrypt, payload: payload)])
            return await engine.respond(to: request, client: client).batchItems[0]
        }
        let opened = await send(DecryptRequestPayload(uid, Array(repeating: 1, count: 40), p, iv: nonce, initial: true), as: h.client)
        XCTAssertEqual(opened.resultStatus, .success, opened.resultMessage ?? "")
        let correlation = try XCTUnwrap((opened.responsePayload as? DecryptResponsePayload)?.correlationValue)
        let over = await send(DecryptRequestPayload(uid, Array(repeating: 2, count: 40), correlation: correlation), as: h.client)
        XCTAssertEqual(over.resultStatus, .operationFailed)
        XCTAssertTrue(over.resultMessage?.contains("streaming memory budget") == true, over.resultMessage ?? "")
        let closed = await send(DecryptRequestPayload(uid, Array(repeating: 2, count: 1), correlation: correlation), as: h.client)
        XCTAssertEqual(closed.resultReason, .itemNotFound, "the refused stream is closed, its memory freed")
        // A second stream of the same client fits again; another client has its own budget, within the server's.
        let again = await send(DecryptRequestPayload(uid, Array(repeating: 1, count: 60), p, iv: nonce, initial: true), as: h.client)
        XCTAssertEqual(again.resultStatus, .success, again.resultMessage ?? "")
        let theirs = await send(DecryptRequestPayload(uid, Array(repeating: 1, count: 60), p, iv: nonce, initial: true), as: other)
        XCTAssertEqual(theirs.resultStatus, .operationFailed, "60 + 60 bytes exceed the server's 100")
        XCTAssertTrue(theirs.resultMessage?.contains("the server's streams") == true, theirs.resultMessage ?? "")
        let small = await send(DecryptRequestPayload(uid, Array(repeating: 1, count: 30), p, iv: nonce, initial: true), as: other)
        XCTAssertEqual(small.resultStatus, .success, small.resultMessage ?? "")
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
