import Foundation
import XCTest

/// `../shared` beside the repository: the OASIS test cases, spec registries and vectors. Tests that
/// need it skip, loudly, when it is missing.
enum SharedData {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    static func require(_ sub: String) throws -> URL {
        let url = root.appendingPathComponent(sub)
        guard FileManager.default.fileExists(atPath: url.path) else {
            let message = "SKIPPED: \(url.path) is missing — the shared KMIP data is not beside the repository"
            print("⚠️  \(message)")
            throw XCTSkip(message)
        }
        return url
    }

    static func hex(_ s: String) -> [UInt8] {
        let u = Array(s.filter { !$0.isWhitespace }.utf8)
        var out: [UInt8] = []
        var i = 0
        while i + 1 < u.count {
            out.append(UInt8(String(decoding: u[i..<(i + 2)], as: UTF8.self), radix: 16)!)
            i += 2
        }
        return out
    }

    static func hexString(_ b: [UInt8]) -> String { b.map { String(format: "%02X", $0) }.joined() }
}
