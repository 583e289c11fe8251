import COpenSSL
import Foundation
import KMIP
import XCTest
@testable import KMIPCrypto

final class RSAEncryptionTests: XCTestCase {
    /// Our own round trip over every OAEP hash pair and PKCS#1 v1.5, including a label.
    func testRSAEncryptionRoundTrip() throws {
        let key = AsymmetricTestKeys.rsa3072
        let pub = try key.publicKey()
        let message = Array("attack at dawn".utf8)
        for d in RSAEncryptionPadding.oaepDigests.sorted(by: { $0.rawValue < $1.rawValue }) {
            for m in [HashingAlgorithm.sha1, .sha256, .sha3512] {
                let padding = RSAEncryptionPadding.oaep(digest: d, mgf1: m, label: [1, 2, 3])
                let ct = try pub.encrypt(message, padding: padding)
                XCTAssertEqual(ct.count, 384)
                XCTAssertEqual(try key.decrypt(ct, padding: padding).bytes, message, "\(padding)")
                // Another label or another MGF hash: the same generic failure.
                for wrong in [RSAEncryptionPadding.oaep(digest: d, mgf1: m, label: [1, 2]),
                              .oaep(digest: d, mgf1: m == .sha1 ? .sha224 : .sha1, label: [1, 2, 3])] {
                    XCTAssertThrowsError(try key.decrypt(ct, padding: wrong)) {
                        XCTAssertEqual($0 as? CryptoError, CryptoError(.cryptographicFailure, "decryption failed"), "\(wrong)")
                    }
                }
                // PKCS#1 v1.5 over an OAEP block: the generic failure — or, about once in 65,536
                // ciphertexts, a block that happens to be well-formed v1.5, which is never the message.
                do {
                    let wrongly = try key.decrypt(ct, padding: .pkcs1v15)
                    XCTAssertNotEqual(wrongly.bytes, message)
                } catch {
                    XCTAssertEqual(error as? CryptoError, CryptoError(.cryptographicFailure, "decryption failed"))
                }
            }
        }
        let ct = try pub.encrypt(message, padding: .pkcs1v15)
        XCTAssertEqual(try key.decrypt(ct, padding: .pkcs1v15).bytes, message)
        XCTAssertNotEqual(try pub.encrypt(message, padding: .pkcs1v15), ct, "randomised")
        // Lengths: the most that fits, one more, a wrong-length ciphertext.
        let maxOAEP256 = 384 - 2 * 32 - 2
        XCTAssertNoThrow(try pub.encrypt([UInt8](repeating: 7, count: maxOAEP256), padding: .oaep(digest: .sha256)))
        assertAsymmetricError(.invalidField) { try pub.encrypt([UInt8](repeating: 7, count: maxOAEP256 + 1), padding: .oaep(digest: .sha256)) }
        assertAsymmetricError(.invalidField) { try pub.encrypt([UInt8](repeating: 7, count: 384 - 10), padding: .pkcs1v15) }
        XCTAssertThrowsError(try key.decrypt(Array(ct.dropLast()), padding: .pkcs1v15)) {
            XCTAssertEqual($0 as? CryptoError, CryptoError(.cryptographicFailure, "decryption failed"))
        }
        // Errors of use.
        assertAsymmetricError(.invalidField) { try pub.decrypt(ct, padding: .pkcs1v15) }
        assertAsymmetricError(.invalidField) { try AsymmetricTestKeys.p256.encrypt(message, padding: .pkcs1v15) }
        assertAsymmetricError(.cryptographicFailure) { try pub.encrypt(message, padding: .oaep(digest: .md5)) }
        assertAsymmetricError(.cryptographicFailure) { try pub.encrypt(message, padding: .oaep(digest: .sha256, mgf1: .ripemd160)) }
    }

    /// Every ciphertext failure is the same error, whatever the padding and whatever is wrong, and
    /// leaves nothing on the OpenSSL error queue.
    func testDecryptionFailuresAreIndistinguishable() throws {
        let key = AsymmetricTestKeys.rsa2048
        let pub = try key.publicKey()
        let message = Array("a wrapped key".utf8)
        let v15 = try pub.encrypt(message, padding: .pkcs1v15)
        let oaep = try pub.encrypt(message, padding: .oaep(digest: .sha256))
        var flipped = v15
        flipped[1] ^= 0x40
        let cases: [(String, [UInt8], RSAEncryptionPadding)] = [
            ("OAEP ciphertext as PKCS#1 v1.5", oaep, .pkcs1v15),
            ("PKCS#1 v1.5 ciphertext as OAEP", v15, .oaep(digest: .sha256)),
            ("altered PKCS#1 v1.5", flipped, .pkcs1v15),
            ("altered OAEP", flipped, .oaep(digest: .sha256)),
            ("ciphertext ≥ n, PKCS#1 v1.5", [UInt8](repeating: 0xFF, count: 256), .pkcs1v15),
            ("ciphertext ≥ n, OAEP", [UInt8](repeating: 0xFF, count: 256), .oaep(digest: .sha256)),
            ("zero, PKCS#1 v1.5", [UInt8](repeating: 0, count: 256), .pkcs1v15),
            ("too short, PKCS#1 v1.5", Array(v15.dropFirst()), .pkcs1v15),
            ("too long, OAEP", oaep + [0], .oaep(digest: .sha256)),
            ("empty, PKCS#1 v1.5", [], .pkcs1v15),
        ]
        ERR_clear_error()
        for (name, ct, padding) in cases {
            XCTAssertThrowsError(try key.decrypt(ct, padding: padding), name) {
                XCTAssertEqual($0 as? CryptoError, CryptoError(.cryptographicFailure, "decryption failed"), name)
            }
            XCTAssertEqual(ERR_peek_error(), 0, name)
        }
    }

    /// Key unwrapping refuses PKCS#1 v1.5 where OpenSSL has no implicit rejection (3.0, 3.1): there
    /// a failed unwrap is a padding oracle. The refusal does not depend on the ciphertext.
    func testUnwrappingRefusesPKCS1v15WithoutImplicitRejection() throws {
        let key = AsymmetricTestKeys.rsa2048
        let pub = try key.publicKey()
        let secret = [UInt8](repeating: 0x42, count: 32)
        let v15 = try pub.encrypt(secret, padding: .pkcs1v15)
        let oaep = try pub.encrypt(secret, padding: .oaep(digest: .sha256))
        for ct in [v15, [UInt8](repeating: 0, count: 256), [1, 2, 3]] {
            assertAsymmetricError(.featureNotSupported) { try key.unwrap(ct, padding: .pkcs1v15, implicitRejection: false) }
        }
        XCTAssertEqual(try key.unwrap(v15, padding: .pkcs1v15, implicitRejection: true).bytes, secret)
        for implicitRejection in [false, true] {
            XCTAssertEqual(try key.unwrap(oaep, padding: .oaep(digest: .sha256), implicitRejection: implicitRejection).bytes, secret)
            XCTAssertThrowsError(try key.unwrap(v15, padding: .oaep(digest: .sha256), implicitRejection: implicitRejection)) {
                XCTAssertEqual($0 as? CryptoError, CryptoError(.cryptographicFailure, "decryption failed"))
            }
        }
        XCTAssertFalse(RSAEncryptionPadding.pkcs1v15.isSafeForUnwrapping(implicitRejection: false))
        XCTAssertTrue(RSAEncryptionPadding.pkcs1v15.isSafeForUnwrapping(implicitRejection: true))
        XCTAssertTrue(RSAEncryptionPadding.oaep(digest: .sha1).isSafeForUnwrapping)
        // The public entry point follows the OpenSSL in use; Decrypt keeps PKCS#1 v1.5 regardless.
        XCTAssertEqual(RSAEncryptionPadding.pkcs1v15.isSafeForUnwrapping, AsymmetricKey.pkcs1v15ImplicitRejection)
        if AsymmetricKey.pkcs1v15ImplicitRejection {
            XCTAssertEqual(try key.unwrap(v15, padding: .pkcs1v15).bytes, secret)
        } else {
            assertAsymmetricError(.featureNotSupported) { try key.unwrap(v15, padding: .pkcs1v15) }
        }
        XCTAssertEqual(try key.decrypt(v15, padding: .pkcs1v15).bytes, secret)
    }
}
