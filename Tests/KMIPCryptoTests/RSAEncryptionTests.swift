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
                // Another label, another MGF hash, or PKCS#1 v1.5: the same generic failure.
                for wrong in [RSAEncryptionPadding.oaep(digest: d, mgf1: m, label: [1, 2]),
                              .oaep(digest: d, mgf1: m == .sha1 ? .sha224 : .sha1, label: [1, 2, 3]), .pkcs1v15] {
                    XCTAssertThrowsError(try key.decrypt(ct, padding: wrong)) {
                        XCTAssertEqual($0 as? CryptoError, CryptoError(.cryptographicFailure, "decryption failed"), "\(wrong)")
                    }
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
}
