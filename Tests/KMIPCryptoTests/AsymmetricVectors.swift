import Foundation
import KMIP
import XCTest
@testable import KMIPCrypto

/// The Wycheproof files under `../shared/crypto-vectors/wycheproof` for the asymmetric tests, read at
/// test time. Tests that need them skip, loudly, when the shared data is missing.
enum AsymmetricVectors {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    static func require(_ sub: String) throws -> URL {
        let url = root.appendingPathComponent(sub)
        guard FileManager.default.fileExists(atPath: url.path) else {
            let message = "SKIPPED: \(url.path) is missing — the shared vectors are not beside the repository"
            print("⚠️  \(message)")
            throw XCTSkip(message)
        }
        return url
    }

    /// The Wycheproof files whose names start with `prefix`, sorted. Fails when there are none.
    static func wycheproof(_ prefix: String, file: StaticString = #filePath, line: UInt = #line) throws -> [URL] {
        let dir = try require("crypto-vectors/wycheproof")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
        XCTAssertFalse(names.isEmpty, "no Wycheproof file \(prefix)*.json in \(dir.path)", file: file, line: line)
        return names.map { dir.appendingPathComponent($0) }
    }

    static func json(_ url: URL) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        guard let dict = object as? [String: Any] else { throw CryptoError(.invalidField, "\(url.lastPathComponent) is not a JSON object") }
        return dict
    }

    static func hex(_ s: String) -> [UInt8] {
        let u = Array(s.filter { !$0.isWhitespace }.utf8)
        precondition(u.count % 2 == 0, "odd hex length")
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i + 1 < u.count {
            out.append(UInt8(String(decoding: u[i..<(i + 2)], as: UTF8.self), radix: 16)!)
            i += 2
        }
        return out
    }

    static func hexString(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

    /// Wycheproof hash names ("SHA-256", "SHA-512/224", "SHA3-256") as KMIP Hashing Algorithms.
    static func hashing(_ name: String) -> HashingAlgorithm? {
        [
            "SHA-1": .sha1, "SHA-224": .sha224, "SHA-256": .sha256, "SHA-384": .sha384, "SHA-512": .sha512,
            "SHA-512/224": .sha512224, "SHA-512/256": .sha512256,
            "SHA3-224": .sha3224, "SHA3-256": .sha3256, "SHA3-384": .sha3384, "SHA3-512": .sha3512,
        ][name]
    }

    /// Counts of one file's cases, and the `valid` / `invalid` ones that went the wrong way.
    struct Tally: CustomStringConvertible {
        let file: String
        var valid = 0, invalid = 0, acceptable = 0, acceptableAccepted = 0
        var failures: [String] = []

        init(_ file: String) { self.file = file }

        /// `accepted`: the implementation accepted the case (decrypted to the message, verified).
        mutating func record(_ result: String, _ accepted: Bool, id: Any, comment: Any?) {
            switch result {
            case "valid":
                valid += 1
                if !accepted { failures.append("tcId \(id) (valid, \(comment ?? "")) was rejected") }
            case "invalid":
                invalid += 1
                if accepted { failures.append("tcId \(id) (invalid, \(comment ?? "")) was accepted") }
            case "acceptable":
                acceptable += 1
                if accepted { acceptableAccepted += 1 }
            default:
                failures.append("tcId \(id): unknown result \(result)")
            }
        }

        /// A valid case that could not be run at all.
        mutating func cannotRun(_ what: String) { failures.append("cannot run: \(what)") }

        var description: String {
            "\(file): \(valid) valid, \(invalid) invalid, \(acceptable) acceptable (\(acceptableAccepted) accepted), \(failures.count) wrong"
        }

        func report(file f: StaticString = #filePath, line: UInt = #line) {
            print("Wycheproof \(self)")
            XCTAssertGreaterThan(valid + invalid + acceptable, 0, "\(file): no test cases", file: f, line: line)
            for failure in failures.prefix(20) { XCTFail("\(file): \(failure)", file: f, line: line) }
            if failures.count > 20 { XCTFail("\(file): \(failures.count - 20) more failures", file: f, line: line) }
        }
    }
}

/// Keys generated once per test process (RSA 4096 takes seconds in debug builds).
enum AsymmetricTestKeys {
    static let rsa2048 = try! AsymmetricKey.generateRSA(bits: 2048)
    static let rsa3072 = try! AsymmetricKey.generateRSA(bits: 3072)
    static let rsa4096 = try! AsymmetricKey.generateRSA(bits: 4096)
    static let p256 = try! AsymmetricKey.generateEC(curve: .p256)
    static let p384 = try! AsymmetricKey.generateEC(curve: .p384)
    static let p521 = try! AsymmetricKey.generateEC(curve: .p521)
    static let ed25519 = try! AsymmetricKey.generateEd25519()

    static var rsa: [AsymmetricKey] { [rsa2048, rsa3072, rsa4096] }
    static var ec: [AsymmetricKey] { [p256, p384, p521] }
    static var all: [AsymmetricKey] { rsa + ec + [ed25519] }
}

/// Asserts that `body` throws a CryptoError with `reason`.
func assertAsymmetricError<T>(_ reason: ResultReason, _ message: @autoclosure () -> String = "",
                          file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected \(reason), nothing thrown. \(message())", file: file, line: line)
    } catch let e as CryptoError {
        XCTAssertEqual(e.reason, reason, "\(e) \(message())", file: file, line: line)
    } catch {
        XCTFail("expected CryptoError \(reason), got \(error). \(message())", file: file, line: line)
    }
}
