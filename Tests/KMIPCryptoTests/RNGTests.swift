import COpenSSL
import KMIP
import XCTest
@testable import KMIPCrypto

final class RNGTests: XCTestCase {
    func testRetrieve() throws {
        for n in [1, 16, 32, 1000, CryptoLimits.maxRNGCount] {
            XCTAssertEqual(try RNG.retrieve(count: n).count, n)
        }
        let a = try RNG.retrieve(count: 32), b = try RNG.retrieve(count: 32)
        XCTAssertNotEqual(a, b, "two retrievals of 32 bytes differ")
        XCTAssertNotEqual(a.bytes, [UInt8](repeating: 0, count: 32))
        // Roughly uniform: 64 KiB has every byte value.
        XCTAssertEqual(Set(try RNG.retrieve(count: CryptoLimits.maxRNGCount).bytes).count, 256)
        XCTAssertEqual(try RNG.retrieve(count: 8).description, "SecretBytes(8 bytes, redacted)")
    }

    func testRetrieveLimits() {
        for n in [0, -1, CryptoLimits.maxRNGCount + 1, Int.max] {
            XCTAssertThrowsError(try RNG.retrieve(count: n), "\(n)") { XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField) }
        }
        XCTAssertThrowsError(try RNG.retrieve(count: 65, maximum: 64))
        XCTAssertNoThrow(try RNG.retrieve(count: 64, maximum: 64))
    }

    func testSeedMixesInAndRetrieveStillWorks() throws {
        let before = try RNG.retrieve(count: 32)
        try RNG.seed([UInt8](repeating: 0, count: 64))
        try RNG.seed(Array("client-provided seed".utf8))
        // A fixed seed must not make the output fixed: the DRBG keeps its own state.
        let after1 = try RNG.retrieve(count: 32)
        try RNG.seed([UInt8](repeating: 0, count: 64))
        let after2 = try RNG.retrieve(count: 32)
        XCTAssertNotEqual(after1, after2)
        XCTAssertNotEqual(before, after1)
        XCTAssertThrowsError(try RNG.seed([])) { XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField) }
        XCTAssertThrowsError(try RNG.seed([UInt8](repeating: 1, count: CryptoLimits.maxRNGCount + 1))) { XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField) }
    }

    /// RNG Seed leaves this thread's OpenSSL error queue empty, so no stale entry ends up in the
    /// message of a later, unrelated failure.
    func testSeedLeavesTheOpenSSLErrorQueueEmpty() throws {
        XCTAssertNil(EVP_CIPHER_fetch(nil, "NO-SUCH-CIPHER", nil))
        XCTAssertNotEqual(ERR_peek_error(), 0)
        try RNG.seed(Array("seed".utf8))
        XCTAssertEqual(ERR_peek_error(), 0)
    }

    func testConcurrentRetrieve() async throws {
        let results = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<16 { group.addTask { try RNG.retrieve(count: 32).bytes } }
            var all: [[UInt8]] = []
            for try await r in group { all.append(r) }
            return all
        }
        XCTAssertEqual(Set(results).count, 16)
    }
}
