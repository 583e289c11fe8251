import Foundation
import KMIP
import XCTest
@testable import KMIPCrypto

final class HMACTests: XCTestCase {
    let h = SymmetricVectors.hex

    static func rep(_ byte: String, _ n: Int) -> String { String(repeating: byte, count: n) }
    static func ascii(_ s: String) -> String { SymmetricVectors.hexString(Array(s.utf8)) }

    /// RFC 4231 §4.2–4.8: (case, key, data, [SHA-224, SHA-256, SHA-384, SHA-512]); case 5 is truncated to 128 bits.
    static let rfc4231: [(Int, String, String, [String])] = [
        (1, rep("0b", 20), ascii("Hi There"), [
            "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
        ]),
        (2, ascii("Jefe"), ascii("what do ya want for nothing?"), [
            "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        ]),
        (3, rep("aa", 20), rep("dd", 50), [
            "7fb3cb3588c6c1f6ffa9694d7d6ad2649365b0c1f65d69d1ec8333ea",
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
            "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
        ]),
        (4, "0102030405060708090a0b0c0d0e0f10111213141516171819", rep("cd", 50), [
            "6c11506874013cac6a2abc1bb382627cec6a90d86efc012de7afec5a",
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
            "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
        ]),
        (5, rep("0c", 20), ascii("Test With Truncation"), [
            "0e2aea68a90c8d37c988bcdb9fca6fa8",
            "a3b6167473100ee06e0c796c2955552b",
            "3abf34c3503b2a23a46efc619baef897",
            "415fad6271580a531d4179bc891d87a6",
        ]),
        (6, rep("aa", 131), ascii("Test Using Larger Than Block-Size Key - Hash Key First"), [
            "95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
            "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
        ]),
        (7, rep("aa", 131),
         ascii("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."), [
            "3a854166ac5d9f023f54d517d0b39dbd946770db9c2b95c9f6f565d1",
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
            "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
        ]),
    ]

    func testRFC4231() throws {
        let algorithms: [HashingAlgorithm] = [.sha224, .sha256, .sha384, .sha512]
        var checked = 0
        for (n, key, data, macs) in Self.rfc4231 {
            for (alg, expected) in zip(algorithms, macs) {
                let hmac = try HMAC(alg, key: SecretBytes(h(key)), policy: .default)
                let mac = try hmac.mac(h(data))
                XCTAssertEqual(mac.count, hmac.macLength)
                if n == 5 {
                    XCTAssertEqual(SymmetricVectors.hexString(Array(mac.prefix(16))), expected, "RFC 4231 case 5 \(alg)")
                } else {
                    XCTAssertEqual(SymmetricVectors.hexString(mac), expected, "RFC 4231 case \(n) \(alg)")
                }
                XCTAssertTrue(try hmac.verify(mac: h(expected), for: h(data)), "case \(n) \(alg) verify")
                var wrong = h(expected)
                wrong[wrong.count / 2] ^= 0x10
                XCTAssertFalse(try hmac.verify(mac: wrong, for: h(data)), "case \(n) \(alg) wrong MAC")
                XCTAssertFalse(try hmac.verify(mac: h(expected), for: h(data) + [0]), "case \(n) \(alg) other data")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 28)
    }

    func testStreamingEqualsOneShotForEveryDigest() throws {
        let data = (0..<300).map { UInt8(truncatingIfNeeded: $0 * 11) }
        let key = SecretBytes((0..<40).map { UInt8($0) })
        let all: [HashingAlgorithm] = [.sha224, .sha256, .sha384, .sha512, .ripemd160, .sha512224, .sha512256, .sha3224, .sha3256, .sha3384, .sha3512]
        for alg in all {
            let hmac = try HMAC(alg, key: key)
            let oneShot = try hmac.mac(data)
            XCTAssertEqual(oneShot.count, try DigestAlgorithm(alg).size)
            for chunk in 1...33 {
                let gen = try hmac.generator()
                let ver = try hmac.verifier()
                for start in stride(from: 0, to: data.count, by: chunk) {
                    let piece = Array(data[start..<min(start + chunk, data.count)])
                    try gen.update(piece)
                    try ver.update(piece)
                }
                XCTAssertEqual(try gen.finalize(), oneShot, "\(alg) in chunks of \(chunk)")
                XCTAssertTrue(try ver.verify(mac: oneShot))
                XCTAssertThrowsError(try gen.finalize(), "finished")
                XCTAssertThrowsError(try gen.update([1]), "finished")
            }
            // Generation contexts do not verify, verification contexts do not hand out MACs.
            XCTAssertThrowsError(try hmac.generator().verify(mac: oneShot))
            XCTAssertThrowsError(try hmac.verifier().finalize())
            // Truncation: down to the policy's minimum (10 bytes), not below; never longer than the MAC.
            XCTAssertTrue(try hmac.verify(mac: Array(oneShot.prefix(10)), for: data))
            XCTAssertFalse(try hmac.verify(mac: Array(oneShot.prefix(9)), for: data))
            XCTAssertFalse(try hmac.verify(mac: [], for: data))
            XCTAssertFalse(try hmac.verify(mac: oneShot + [0], for: data))
        }
        // RIPEMD-160 known answer (RFC 2286 test case 1), so the non-SHA-2 digests are checked too.
        XCTAssertEqual(SymmetricVectors.hexString(try HMAC(.ripemd160, key: SecretBytes(h(Self.rep("0b", 20)))).mac(Array("Hi There".utf8))),
                       "24cb4bd67d20fc1a5d2ed7732dcc39377f0a5668")
    }

    /// Concurrent misuse of one context is serialised by its lock: the MAC of the same chunk fed
    /// from many threads is the MAC of the chunk repeated.
    func testConcurrentUpdatesAreSerialized() throws {
        let hmac = try HMAC(.sha256, key: SecretBytes(h("0b0b0b0b0b0b0b0b")))
        let chunk = (0..<61).map { UInt8($0) }
        let n = 20_000
        let ctx = try hmac.generator()
        DispatchQueue.concurrentPerform(iterations: n) { _ in try? ctx.update(chunk) }
        XCTAssertEqual(try ctx.finalize(), try hmac.mac(Array([[UInt8]](repeating: chunk, count: n).joined())))
    }

    func testPolicyRefusesWeakDigests() throws {
        let key = SecretBytes([UInt8](repeating: 7, count: 32))
        for alg in [HashingAlgorithm.md5, .sha1] {
            let strict = try HMAC(alg, key: key)   // the default policy
            for attempt in [{ _ = try strict.mac([1]) }, { _ = try strict.generator() }, { _ = try strict.verify(mac: [UInt8](repeating: 0, count: 16), for: [1]) }] {
                XCTAssertThrowsError(try attempt()) { error in
                    let e = error as? CryptoError
                    XCTAssertEqual(e?.reason, .cryptographicFailure)
                    XCTAssertTrue(e?.message.contains("refused by policy") == true, e?.message ?? "")
                    XCTAssertTrue(e?.message.contains(alg.description) == true, e?.message ?? "")
                }
            }
            // Verify-only legacy: old MACs check out, new ones are not made.
            let legacy = try HMAC(alg, key: key, policy: .verifyLegacy)
            XCTAssertThrowsError(try legacy.mac([1]))
            let made = try HMAC(alg, key: key, policy: .permissive).mac([1])
            XCTAssertTrue(try legacy.verify(mac: made, for: [1]))
        }
        // RFC 2202 HMAC-MD5 and HMAC-SHA-1 case 2 under the permissive policy: the digests work when allowed.
        XCTAssertEqual(SymmetricVectors.hexString(try HMAC(.md5, key: SecretBytes(Array("Jefe".utf8)), policy: .permissive).mac(Array("what do ya want for nothing?".utf8))),
                       "750c783e6ab0b503eaa86e310a5db738")
        XCTAssertEqual(SymmetricVectors.hexString(try HMAC(.sha1, key: SecretBytes(Array("Jefe".utf8)), policy: .permissive).mac(Array("what do ya want for nothing?".utf8))),
                       "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        // A custom policy can refuse more.
        let noSHA3 = MACPolicy(refusedForGeneration: MACPolicy.weak.union([.sha3256]), refusedForVerification: MACPolicy.weak)
        XCTAssertThrowsError(try HMAC(.sha3256, key: key, policy: noSHA3).mac([1]))
        XCTAssertNoThrow(try HMAC(.sha256, key: key, policy: noSHA3).mac([1]))
        // MD4 and MD2 are not offered at all; an empty key is refused.
        XCTAssertThrowsError(try HMAC(.md4, key: key, policy: .permissive))
        XCTAssertThrowsError(try HMAC(.md2, key: key, policy: .permissive))
        XCTAssertThrowsError(try HMAC(.sha256, key: SecretBytes([]))) { XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField) }
    }
}
