import Foundation
@testable import StrongroomServer
import KMIPTestSupport
import XCTest

/// `strongroom kmip …` run as the built executable against an in-process dev server.
final class KMIPCommandTests: XCTestCase {
    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static var binary: URL? {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("strongroom")
        let above = beside.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("strongroom")
        return [beside, above].first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs the CLI off the cooperative pool (the server in this process needs it meanwhile).
    func run(_ args: [String], environment: [String: String] = [:]) async throws -> Result {
        guard let binary = Self.binary else {
            throw XCTSkip("strongroom executable not found beside the tests; run `swift build --build-tests`")
        }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    let p = Process()
                    p.executableURL = binary
                    p.arguments = args
                    if !environment.isEmpty {
                        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
                    }
                    let output = Pipe(), error = Pipe()
                    p.standardOutput = output
                    p.standardError = error
                    p.standardInput = FileHandle.nullDevice
                    try p.run()
                    let out = output.fileHandleForReading.readDataToEndOfFile()
                    let err = error.fileHandleForReading.readDataToEndOfFile()
                    p.waitUntilExit()
                    continuation.resume(returning: Result(
                        status: p.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                        stderr: String(decoding: err, as: UTF8.self)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    func testCreateLocateGetRevokeDestroyThroughTheCLI() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("strongroom-cli-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let server = try await StrongroomServer.startDev(DevOptions(dataDirectory: dir.path, kmipListenAddress: "127.0.0.1:0", apiListenAddress: "127.0.0.1:0"))
        let port = try XCTUnwrap(server.kmipPort)
        let connection = ["-address", "127.0.0.1:\(port)", "-ca", server.paths.caPEM, "-cert", server.paths.clientPEM,
                          "-key", server.paths.clientKeyPEM]
        func kmip(_ sub: String, _ args: [String]) async throws -> Result { try await run(["kmip", sub] + connection + args) }

        let created = try await kmip("create", ["-algorithm", "aes", "-length", "256", "-name", "cli-key"])
        XCTAssertEqual(created.status, 0, created.stderr)
        let id = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(id.count, 32)

        let located = try await kmip("locate", ["-name", "cli-key"])
        XCTAssertEqual(located.stdout.trimmingCharacters(in: .whitespacesAndNewlines), id)

        let attributes = try await kmip("get-attributes", [id])
        XCTAssertEqual(attributes.status, 0, attributes.stderr)
        XCTAssertTrue(attributes.stdout.contains("Cryptographic Length: 256"), attributes.stdout)
        XCTAssertTrue(attributes.stdout.contains("State: PreActive"), attributes.stdout)

        let got = try await kmip("get", [id])
        XCTAssertEqual(got.status, 0, got.stderr)
        XCTAssertTrue(got.stdout.contains("Symmetric Key"), got.stdout)
        let hexLine = got.stdout.split(separator: "\n").first { $0.hasPrefix("Key Material (hex):") }
        XCTAssertEqual(hexLine?.split(separator: " ").last?.count, 64)

        let registered = try await kmip("register", ["-hex", "00112233445566778899aabbccddeeff", "-name", "cli-secret"])
        XCTAssertEqual(registered.status, 0, registered.stderr)
        let secretID = registered.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let secret = try await kmip("get", [secretID])
        XCTAssertTrue(secret.stdout.contains("00112233445566778899aabbccddeeff"), secret.stdout)
        XCTAssertTrue(secret.stdout.contains("Secret Data"), secret.stdout)

        let activated = try await kmip("activate", [id])
        XCTAssertEqual(activated.status, 0, activated.stderr)
        // An active object cannot be destroyed: a KMIP error, non-zero exit, reason in the message.
        let refused = try await kmip("destroy", [id])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("result reason:"), refused.stderr)
        XCTAssertEqual(refused.stderr.components(separatedBy: "result reason:").count, 2, "reason printed once: \(refused.stderr)")
        let revoked = try await kmip("revoke", ["-reason", "key-compromise", id])
        XCTAssertEqual(revoked.status, 0, revoked.stderr)
        let destroyed = try await kmip("destroy", [id])
        XCTAssertEqual(destroyed.status, 0, destroyed.stderr)

        let missing = try await kmip("get", ["no-such-object"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("Item Not Found"), missing.stderr)

        let badAddress = try await run(["kmip", "get", "-address", "nowhere", "x"])
        XCTAssertNotEqual(badAddress.status, 0)
        XCTAssertTrue(badAddress.stderr.contains("host:port"), badAddress.stderr)
        await server.shutdown()
    }

    func testServerWithoutDevIsAClearError() async throws {
        let result = try await run(["server"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("strongroom server -dev") && result.stderr.contains("-config FILE"), result.stderr)
        let both = try await run(["server", "-dev", "-config", "x.json"])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("not both"), both.stderr)
    }

    /// `strongroom server -config` with HTTPS on the API: the CLI trusts the private CA given with
    /// `-ca-cert` (async-http-client over NIOSSL), refuses the server without it, and
    /// `-tls-skip-verify` skips the check.
    func testProductionServerServesTheAPIOverHTTPSToTheCLI() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("strongroom-prod-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cert = dir.appendingPathComponent("api.pem").path, key = dir.appendingPathComponent("api-key.pem").path
        try OpenSSLTool.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                             "-keyout", key, "-out", cert])
        let rootKey = dir.appendingPathComponent("root.key").path
        XCTAssertTrue(FileManager.default.createFile(atPath: rootKey, contents: Data((0..<32).map { _ in UInt8.random(in: 0...255) }),
                                                     attributes: [.posixPermissions: 0o600]))

        var config = ServerConfigFile(storagePath: dir.appendingPathComponent("storage").path, rootKey: .file(rootKey))
        config.apiAddress = "127.0.0.1:0"
        config.apiTLSCertificateFile = cert
        config.apiTLSKeyFile = key
        let server = try await StrongroomServer.start(config: config, handlesSignals: false)
        XCTAssertTrue(server.rootToken.hasPrefix("hvs."), "the first start hands out the root token once")
        XCTAssertTrue(server.kmipAddresses.isEmpty, "no mount until one is enabled")
        let env = ["STRONGROOM_ADDR": "https://\(server.apiAddress)", "STRONGROOM_TOKEN": server.rootToken]

        let enabled = try await run(["secrets", "enable", "-ca-cert", cert, "kmip"], environment: env)
        XCTAssertEqual(enabled.status, 0, enabled.stderr)
        XCTAssertEqual(enabled.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "Success! Enabled the kmip secrets engine at: kmip/")
        let untrusted = try await run(["secrets", "list"], environment: env)
        XCTAssertNotEqual(untrusted.status, 0, "a server whose CA is not trusted is refused")
        let skipped = try await run(["secrets", "list", "-tls-skip-verify", "-format=json"], environment: env)
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertTrue(skipped.stdout.contains("\"kmip/\""), skipped.stdout)
        await server.shutdown()

        // A restart keeps the mount and hands out no new root token.
        let again = try await StrongroomServer.start(config: config, handlesSignals: false)
        XCTAssertEqual(again.rootToken, "")
        let listed = try await run(["secrets", "list", "-ca-cert", cert], environment: env.merging(["STRONGROOM_ADDR": "https://\(again.apiAddress)"]) { $1 })
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertTrue(listed.stdout.contains("kmip/"), listed.stdout)
        await again.shutdown()
    }
}
