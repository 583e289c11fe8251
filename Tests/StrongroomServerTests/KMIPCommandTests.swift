import Foundation
import StrongroomServer
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
    func run(_ args: [String]) async throws -> Result {
        guard let binary = Self.binary else {
            throw XCTSkip("strongroom executable not found beside the tests; run `swift build --build-tests`")
        }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    let p = Process()
                    p.executableURL = binary
                    p.arguments = args
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
}
