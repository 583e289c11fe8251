import Foundation
import KMIP
import XCTest
@testable import KMIPCrypto

final class DigestTests: XCTestCase {
    func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

    /// FIPS 180-4 / 202 and RIPEMD-160 known answers for "abc".
    func testKnownAnswers() throws {
        let abc = Array("abc".utf8)
        let expected: [(HashingAlgorithm, String)] = [
            (.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (.sha224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"),
            (.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (.sha384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"),
            (.sha512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
            (.sha512224, "4634270f707b6a54daae7530460842e20e37ed265ceee9a43e8924aa"),
            (.sha512256, "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"),
            (.sha3224, "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf"),
            (.sha3256, "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"),
            (.sha3384, "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25"),
            (.sha3512, "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0"),
            (.ripemd160, "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"),
            (.md5, "900150983cd24fb0d6963f7d28e17f72"),
        ]
        for (alg, digest) in expected {
            let d = try DigestAlgorithm(alg)
            XCTAssertEqual(hex(try d.hash(abc)), digest, "\(alg)")
            XCTAssertEqual(d.size * 2, digest.count)
        }
        XCTAssertThrowsError(try DigestAlgorithm(.md2)) { XCTAssertEqual(($0 as? CryptoError)?.reason, .cryptographicFailure) }
    }

    func testStreamingEqualsOneShot() throws {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        for alg in [HashingAlgorithm.sha256, .sha3512, .ripemd160] {
            let d = try DigestAlgorithm(alg)
            for chunk in 1...33 {
                let ctx = try DigestContext(d)
                for start in stride(from: 0, to: data.count, by: chunk) { try ctx.update(Array(data[start..<min(start + chunk, data.count)])) }
                XCTAssertEqual(try ctx.finalize(), try d.hash(data), "\(alg) in chunks of \(chunk)")
                XCTAssertThrowsError(try ctx.finalize())
            }
        }
    }

    /// Concurrent misuse of one context is serialised by its lock: the digest of the same chunk
    /// fed from many threads is the digest of the chunk repeated.
    func testConcurrentUpdatesAreSerialized() throws {
        let d = try DigestAlgorithm(.sha256)
        let chunk = (0..<61).map { UInt8($0) }
        let n = 20_000
        let ctx = try DigestContext(d)
        DispatchQueue.concurrentPerform(iterations: n) { _ in try? ctx.update(chunk) }
        XCTAssertEqual(try ctx.finalize(), try d.hash(Array([[UInt8]](repeating: chunk, count: n).joined())))
    }

    func testSecretBytesRedactAndCompare() {
        let s = SecretBytes([1, 2, 3, 0xAB])
        XCTAssertEqual(s.description, "SecretBytes(4 bytes, redacted)")
        XCTAssertFalse(String(reflecting: s).contains("171"))
        XCTAssertEqual(s, SecretBytes([1, 2, 3, 0xAB]))
        XCTAssertNotEqual(s, SecretBytes([1, 2, 3, 0xAC]))
        XCTAssertTrue(constantTimeEquals([1, 2], [1, 2]))
        XCTAssertFalse(constantTimeEquals([1, 2], [1, 3]))
    }
}
