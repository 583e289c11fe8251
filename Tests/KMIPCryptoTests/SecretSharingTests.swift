import KMIP
import XCTest
@testable import KMIPCrypto

/// Key splitting against the OASIS test cases' published parts (TC-SJ-3/4) and by round trips over
/// every method, with the refusals.
final class SecretSharingTests: XCTestCase {
    static let hex = SymmetricVectors.hex

    static let key = hex("0102030405060708090a0b0c0d0e0f10")
    /// TC-SJ-3-14: the four parts (2 of 4, Polynomial Sharing GF(2^8)) of 0102…10.
    static let gfParts = ["66C46A7754F94DE420C7B1A7FFF5EC56", "CF93D1E2A7E593CD5B8D6247F4E5D49C",
                          "A855B891F61AD9217240D8EC061E37DA", "803DBAD55CDD329FAD19D99AE2C5A415"].map(hex)
    /// TC_SJ_4_12: the four XOR parts of 0102…10.
    static let xorParts = ["d4b92c299199298e30dee13b967e6dda", "35ea4f615686230c7b11538693674e89",
                           "3478ddd2e1f89f2005011d26d9fff37c", "d429bd9e23e192aa47c4a497d1e8df3f"].map(hex)
    /// 2^521 − 1, a Mersenne prime.
    static let m521: [UInt8] = [0x01] + [UInt8](repeating: 0xFF, count: 65)

    func shares(_ parts: [[UInt8]], _ indexes: [Int]) -> [(index: Int, value: SecretBytes)] {
        indexes.map { ($0, SecretBytes(parts[$0 - 1])) }
    }

    func testThePublishedGF256PartsJoinInEveryPair() throws {
        for a in 1...4 {
            for b in 1...4 where b != a {
                let joined = try SecretSharing.join(shares(Self.gfParts, [a, b]), parts: 4, threshold: 2, method: .gf256)
                XCTAssertEqual(joined.bytes, Self.key, "parts \(a) and \(b)")
            }
        }
        // All four agree with one another: the extra parts lie on the same line.
        XCTAssertEqual(try SecretSharing.join(shares(Self.gfParts, [1, 2, 3, 4]), parts: 4, threshold: 2, method: .gf256).bytes, Self.key)
    }

    func testThePublishedXORPartsJoin() throws {
        XCTAssertEqual(try SecretSharing.join(shares(Self.xorParts, [4, 3, 2, 1]), parts: 4, threshold: 4, method: .xor).bytes, Self.key)
        XCTAssertThrowsError(try SecretSharing.join(shares(Self.xorParts, [1, 2, 3]), parts: 4, threshold: 4, method: .xor)) {
            XCTAssertEqual(($0 as? CryptoError)?.reason, .cryptographicFailure)
        }
    }

    func testEveryMethodRoundTripsThroughEveryThresholdSubset() throws {
        let methods: [SecretSharing.Method] = [.gf256, .gf65536, .primeField(Self.m521)]
        for method in methods {
            let secret = try RNG.retrieve(count: 32)
            let parts = try SecretSharing.split(secret, parts: 5, threshold: 3, method: method)
            XCTAssertEqual(parts.count, 5)
            XCTAssertEqual(Set(parts.map(\.bytes)).count, 5, "\(method): distinct parts")
            XCTAssertFalse(parts.contains { $0.bytes == secret.bytes }, "\(method): no part is the secret")
            for a in 1...3 { for b in (a + 1)...4 { for c in (b + 1)...5 {
                let joined = try SecretSharing.join(shares(parts.map(\.bytes), [c, a, b]), parts: 5, threshold: 3,
                                                    method: method, length: 32)
                XCTAssertEqual(joined.bytes, secret.bytes, "\(method): parts \(a), \(b), \(c)")
            } } }
            XCTAssertThrowsError(try SecretSharing.join(shares(parts.map(\.bytes), [1, 2]), parts: 5, threshold: 3, method: method)) {
                XCTAssertEqual(($0 as? CryptoError)?.reason, .cryptographicFailure, "\(method): below the threshold")
            }
        }
        let secret = try RNG.retrieve(count: 24)
        let parts = try SecretSharing.split(secret, parts: 3, threshold: 3, method: .xor)
        XCTAssertEqual(try SecretSharing.join(shares(parts.map(\.bytes), [1, 2, 3]), parts: 3, threshold: 3, method: .xor).bytes, secret.bytes)
    }

    func testAPartFromAnotherSplitIsACryptographicFailure() throws {
        let a = try SecretSharing.split(SecretBytes(Self.key), parts: 4, threshold: 2, method: .gf256).map(\.bytes)
        let b = try SecretSharing.split(SecretBytes(Self.key), parts: 4, threshold: 2, method: .gf256).map(\.bytes)
        let mixed: [(index: Int, value: SecretBytes)] = [(1, SecretBytes(a[0])), (2, SecretBytes(a[1])), (3, SecretBytes(b[2]))]
        XCTAssertThrowsError(try SecretSharing.join(mixed, parts: 4, threshold: 2, method: .gf256)) {
            XCTAssertEqual(($0 as? CryptoError)?.reason, .cryptographicFailure)
        }
        let prime = try SecretSharing.split(SecretBytes(Self.key), parts: 4, threshold: 2, method: .primeField(Self.m521)).map(\.bytes)
        var forged = prime
        forged[2][forged[2].count - 1] ^= 1
        XCTAssertThrowsError(try SecretSharing.join(shares(forged, [1, 2, 3]), parts: 4, threshold: 2, method: .primeField(Self.m521))) {
            XCTAssertEqual(($0 as? CryptoError)?.reason, .cryptographicFailure)
        }
    }

    func testRefusals() throws {
        let secret = SecretBytes(Self.key)
        func refused(_ body: @autoclosure () throws -> Any, _ message: String, line: UInt = #line) {
            XCTAssertThrowsError(try body(), message, line: line) {
                XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField, message, line: line)
            }
        }
        refused(try SecretSharing.split(secret, parts: 1, threshold: 1, method: .gf256), "one part")
        refused(try SecretSharing.split(secret, parts: 3, threshold: 1, method: .gf256), "a threshold of 1 makes every part the key")
        refused(try SecretSharing.split(secret, parts: 3, threshold: 4, method: .gf256), "threshold above the parts")
        refused(try SecretSharing.split(secret, parts: CryptoLimits.maxSplitKeyParts + 1, threshold: 2, method: .gf256), "too many parts")
        refused(try SecretSharing.split(secret, parts: 3, threshold: 2, method: .xor), "XOR needs every part")
        refused(try SecretSharing.split(SecretBytes([1, 2, 3]), parts: 3, threshold: 2, method: .gf65536), "odd length for 16-bit symbols")
        refused(try SecretSharing.split(SecretBytes([UInt8](repeating: 1, count: CryptoLimits.maxSplitSecretLength + 1)),
                                        parts: 2, threshold: 2, method: .gf256), "secret over the limit")
        refused(try SecretSharing.split(secret, parts: 3, threshold: 2, method: .primeField([0x01, 0x00])), "256 is no prime")
        refused(try SecretSharing.split(secret, parts: 3, threshold: 2, method: .primeField([0xFB])), "the key is not below 251")
        refused(try SecretSharing.split(SecretBytes([7]), parts: 3, threshold: 2, method: .primeField([0x0B])), "a prime under 8 bits")
        refused(try SecretSharing.join(shares(Self.gfParts, [1, 1]), parts: 4, threshold: 2, method: .gf256), "one part twice")
        refused(try SecretSharing.join([(5, SecretBytes(Self.gfParts[0])), (1, SecretBytes(Self.gfParts[1]))], parts: 4, threshold: 2,
                                       method: .gf256), "part 5 of 4")
        refused(try SecretSharing.join([(1, SecretBytes(Self.gfParts[0])), (2, SecretBytes([1, 2]))], parts: 4, threshold: 2,
                                       method: .gf256), "parts of different lengths")
    }

    func testFieldArithmetic() {
        let gf = BinaryField.gf256
        for a in UInt32(1)...255 { XCTAssertEqual(gf.multiply(a, gf.inverse(a)), 1, "GF(2^8) inverse of \(a)") }
        // x^8 = x^4 + x^3 + x^2 + 1 under 0x11D.
        XCTAssertEqual(gf.multiply(0x80, 0x02), 0x1D)
        let wide = BinaryField.gf65536
        for a in [UInt32(1), 2, 0x1234, 0x8000, 0xFFFF] { XCTAssertEqual(wide.multiply(a, wide.inverse(a)), 1, "GF(2^16) inverse of \(a)") }
        XCTAssertEqual(wide.multiply(0x8000, 0x0002), 0x100B)
    }
}
