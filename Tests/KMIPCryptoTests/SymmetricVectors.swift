import Foundation
import XCTest

/// Test data for the symmetric tests: hex helpers, and `../shared/crypto-vectors` beside the
/// repository (Wycheproof). Tests that need the shared data skip, loudly, when it is missing.
enum SymmetricVectors {
    static let sharedRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    /// `../shared/<sub>`, or an XCTSkip that says what is missing.
    static func require(_ sub: String) throws -> URL {
        let url = sharedRoot.appendingPathComponent(sub)
        guard FileManager.default.fileExists(atPath: url.path) else {
            let message = "SKIPPED: \(url.path) is missing — the shared crypto vectors are not beside the repository"
            print("⚠️  \(message)")
            throw XCTSkip(message)
        }
        return url
    }

    /// Bytes from hex; whitespace is ignored. Crashes the test on a typo (odd length, bad digit).
    static func hex(_ s: String) -> [UInt8] {
        let u = Array(s.filter { !$0.isWhitespace }.utf8)
        precondition(u.count % 2 == 0, "odd-length hex")
        return stride(from: 0, to: u.count, by: 2).map { UInt8(String(decoding: u[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
    }

    static func hexString(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
}
