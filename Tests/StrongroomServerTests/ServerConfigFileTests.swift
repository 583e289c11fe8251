import Foundation
import XCTest
@testable import StrongroomServer

/// `strongroom server -config FILE`: the documented example parses; mistakes name their key.
final class ServerConfigFileTests: XCTestCase {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testTheDocumentedExampleParses() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/strongroom.json").path
        let config = try ServerConfigFile.load(docs)
        XCTAssertEqual(config.storagePath, "/var/lib/strongroom")
        XCTAssertEqual(config.rootKey, .file("/etc/strongroom/root.key"))
        XCTAssertEqual(config.apiAddress, "0.0.0.0:8200")
        XCTAssertEqual(config.apiTLSCertificateFile, "/etc/strongroom/api.pem")
        XCTAssertEqual(config.logFormat, .json)
        XCTAssertEqual(config.limits.maxMessageBytes, 1_048_576)
        XCTAssertEqual(config.limits.maxBatchItems, 256)
        XCTAssertEqual(config.maxConnections, 4096)
        XCTAssertEqual(config.idleTimeout, 300)
    }

    func testMinimalFileTakesDefaults() throws {
        let config = try ServerConfigFile.load(try write(#"{"storage":{"path":"/d"},"root_key":{"env":"K"}}"#))
        XCTAssertEqual(config.rootKey, .environment("K"))
        XCTAssertEqual(config.apiAddress, "127.0.0.1:8200")
        XCTAssertNil(config.apiTLSCertificateFile)
        XCTAssertEqual(config.logFormat, .text)
    }

    func testMistakesNameTheirKey() throws {
        let cases: [(String, String)] = [
            (#"{"storage":{"path":"/d"},"root_key":{"env":"K"},"apii":{}}"#, "apii"),
            (#"{"storage":{"path":"/d"},"root_key":{"env":"K","file":"f"}}"#, "root_key"),
            (#"{"root_key":{"env":"K"}}"#, "storage"),
            (#"{"storage":{"path":"/d"},"root_key":{"env":"K"},"api":{"tls_cert_file":"c"}}"#, "tls_key_file"),
            (#"{"storage":{"path":"/d"},"root_key":{"env":"K"},"limits":{"max_batch_items":true}}"#, "limits.max_batch_items"),
            (#"{"storage":{"path":"/d"},"root_key":{"env":"K"},"limits":{"idle_timeout":"5x"}}"#, "limits.idle_timeout"),
            (#"{"storage":{"path":"/d"},"root_key":{"env":"K"},"log":{"format":"xml"}}"#, "log.format"),
            (#"[1]"#, "JSON object"),
        ]
        for (text, key) in cases {
            XCTAssertThrowsError(try ServerConfigFile.load(try write(text)), text) { error in
                XCTAssertTrue("\(error)".contains(key), "\(error) should name \(key)")
            }
        }
    }
}
