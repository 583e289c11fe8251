import Foundation
import StrongroomObservability
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
        XCTAssertEqual(config.streamLifetime, 600)
        XCTAssertEqual(config.apiLimits.readHeaderTimeout, .seconds(10))
        XCTAssertEqual(config.apiLimits.readTimeout, .seconds(30))
        XCTAssertEqual(config.apiLimits.maxConnections, 1024)
        XCTAssertEqual(config.apiMaxRequestSize, 32 << 20)
        XCTAssertEqual(config.maxConnectionsPerClient, 256)
        XCTAssertEqual(config.heavyThreads, 1)
        XCTAssertEqual(config.heavyQueuePerClient, 16)
        XCTAssertEqual(config.auditRules.directory, "/var/log/strongroom")
        XCTAssertFalse(config.auditRules.allowAPIDevices)
        XCTAssertEqual(config.auditDevices.map(\.path), ["file"])
        XCTAssertEqual(config.auditDevices.first?.options["file_path"], "/var/log/strongroom/audit.log")
    }

    /// Declared devices are checked at load time like API ones (no execute bit, no prefix unless allowed).
    func testAuditSectionRules() throws {
        let base = #"{"storage":{"path":"/d"},"root_key":{"env":"K"},"audit":"#
        XCTAssertThrowsError(try ServerConfigFile.load(try write(base + #"{"devices":{"f":{"options":{"file_path":"/l","mode":"0755"}}}}}"#))) {
            XCTAssertTrue("\($0)".contains("execute bit"), "\($0)")
        }
        XCTAssertThrowsError(try ServerConfigFile.load(try write(base + #"{"devices":{"f":{"options":{"file_path":"/l","prefix":"x"}}}}}"#))) {
            XCTAssertTrue("\($0)".contains("allow_audit_log_prefixing"), "\($0)")
        }
        XCTAssertThrowsError(try ServerConfigFile.load(try write(base + #"{"directory":"relative"}}"#)))
        XCTAssertThrowsError(try ServerConfigFile.load(try write(base + #"{"typo":true}}"#)))
        let lifetime = try ServerConfigFile.load(try write(#"{"storage":{"path":"/d"},"root_key":{"env":"K"},"limits":{"stream_lifetime":"2m"}}"#))
        XCTAssertEqual(lifetime.streamLifetime, 120)
        // The API's duration syntax: compound and fractional durations too, and the range still holds.
        let compound = try ServerConfigFile.load(try write(#"{"storage":{"path":"/d"},"root_key":{"env":"K"},"limits":{"stream_lifetime":"1h30m","idle_timeout":"1.5m"}}"#))
        XCTAssertEqual(compound.streamLifetime, 5400)
        XCTAssertEqual(compound.idleTimeout, 90)
        XCTAssertThrowsError(try ServerConfigFile.load(try write(#"{"storage":{"path":"/d"},"root_key":{"env":"K"},"limits":{"stream_lifetime":"48h"}}"#)))
        let ok = try ServerConfigFile.load(try write(base + #"{"allow_api_devices":true,"allow_audit_log_prefixing":true,"directory":"/a","devices":{"f":{"options":{"file_path":"/l","prefix":"x"}}}}}"#))
        XCTAssertEqual(ok.auditRules, AuditRules(directory: "/a", allowAPIDevices: true, allowPrefix: true))
    }

    func testMinimalFileTakesDefaults() throws {
        let config = try ServerConfigFile.load(try write(#"{"storage":{"path":"/d"},"root_key":{"env":"K"}}"#))
        XCTAssertEqual(config.rootKey, .environment("K"))
        XCTAssertEqual(config.apiAddress, "127.0.0.1:8200")
        XCTAssertNil(config.apiTLSCertificateFile)
        XCTAssertEqual(config.logFormat, .text)
        XCTAssertEqual(config.experiments, [])
    }

    /// Vault's `experiments`: known names only.
    func testExperiments() throws {
        let config = try ServerConfigFile.load(try write(
            #"{"storage":{"path":"/d"},"root_key":{"env":"K"},"experiments":["kmip.client_api.alpha1"]}"#))
        XCTAssertEqual(config.experiments, ["kmip.client_api.alpha1"])
        for bad in [#"["kmip.client_api.beta9"]"#, #""kmip.client_api.alpha1""#, "[1]"] {
            XCTAssertThrowsError(try ServerConfigFile.load(try write(#"{"storage":{"path":"/d"},"root_key":{"env":"K"},"experiments":"# + bad + "}")),
                                 bad) { error in XCTAssertTrue("\(error)".contains("experiment"), "\(error)") }
        }
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

    /// `storage.postgresql` (a cluster's shared database) and `node`: Vault's key names, checked.
    func testPostgreSQLStorageAndNode() throws {
        let config = try ServerConfigFile.load(try write(#"""
            {"storage":{"postgresql":{"connection_url":"postgres://sr@db:5432/strongroom?sslmode=verify-full","max_connections":12}},
             "root_key":{"env":"K"},"node":{"id":"kms-2","kmip_bind_host":"10.0.0.12"}}
            """#))
        XCTAssertEqual(config.postgresql?.connectionURL, "postgres://sr@db:5432/strongroom?sslmode=verify-full")
        XCTAssertEqual(config.postgresql?.maxConnections, 12)
        XCTAssertEqual(config.storagePath, "")
        XCTAssertEqual(config.node, ServerConfigFile.NodeSettings(id: "kms-2", kmipBindHost: "10.0.0.12"))
        for (text, message) in [
            (#"{"storage":{"path":"/d","postgresql":{"connection_url":"postgres://a@b/c"}},"root_key":{"env":"K"}}"#, "exclude each other"),
            (#"{"storage":{"postgresql":{}},"root_key":{"env":"K"}}"#, "connection_url is required"),
            (#"{"storage":{"postgresql":{"connection_url":"postgres://a@b/c","max_connections":0}},"root_key":{"env":"K"}}"#, "max_connections"),
            (#"{"storage":{"postgresql":{"connection_url":"postgres://a@b/c","table":"x"}},"root_key":{"env":"K"}}"#, "unknown key"),
            (#"{"storage":{},"root_key":{"env":"K"}}"#, "\"path\" (SQLite) or \"postgresql\""),
            (#"{"storage":{"path":"/d"},"root_key":{"env":"K"},"node":{"kmip_bind_host":"a b"}}"#, "kmip_bind_host"),
        ] {
            XCTAssertThrowsError(try ServerConfigFile.load(try write(text))) { XCTAssertTrue("\($0)".contains(message), "\($0)") }
        }
    }
}
