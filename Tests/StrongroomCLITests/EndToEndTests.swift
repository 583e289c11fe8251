import Foundation
import XCTest
@testable import StrongroomCLI

/// The HTTP client against a local HTTP server, and the built `strongroom` binary's Vault-style flags.
final class EndToEndTests: XCTestCase {
    var server: StubHTTPServer!

    override func setUpWithError() throws {
        server = try StubHTTPServer { request in
            switch (request.method, request.target) {
            case ("GET", "/v1/kmip/scope?list=true"): return (200, #"{"data":{"keys":["my-service"]}}"#)
            case ("GET", "/v1/kmip/ca"): return (200, #"{"request_id":"r","data":{"ca_pem":"PEM"}}"#)
            case ("GET", "/v1/kmip/missing"): return (404, #"{"errors":[]}"#)
            case ("PUT", "/v1/kmip/config") where request.body.contains("bad"): return (400, #"{"errors":["bad listen address"]}"#)
            case ("PUT", "/v1/kmip/scope/my-service/role/admin/credential/generate"): return (200, Seed.credentialJSON)
            case ("PUT", _), ("POST", _), ("DELETE", _): return (204, "")
            default: return (404, #"{"errors":[]}"#)
            }
        }
    }

    override func tearDown() {
        server.stop()
    }

    // MARK: AsyncHTTPClientTransport

    func testPlainHTTPRoundTrip() async throws {
        let client = VaultClient(configuration: ClientConfiguration(address: server.address, token: "s.e2e"),
                                 transport: AsyncHTTPClientTransport(timeout: .seconds(10)))
        let runner = CommandRunner(client: client, sources: .fixed())
        let write = await runner.write(["kmip/config", "listen_addrs=0.0.0.0:5696"], force: false)
        XCTAssertEqual(write, CommandResult(stdout: "Success! Data written to: kmip/config\n"))
        let list = await runner.list(["kmip/scope"])
        XCTAssertEqual(list.stdout, "Keys\n----\nmy-service\n")
        let missing = await runner.read(["kmip/missing"])
        XCTAssertEqual(missing.stderr, "No value found at kmip/missing\n")
        let bad = await runner.write(["kmip/config", "listen_addrs=bad"], force: false)
        XCTAssertEqual(bad.stderr, "Error writing data to kmip/config: Error making API request.\n\nURL: PUT \(server.address)/v1/kmip/config\nCode: 400. Errors:\n\n* bad listen address\n")

        let first = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(first.method, "PUT")
        XCTAssertEqual(first.headers["x-vault-token"], "s.e2e")
        XCTAssertEqual(first.body, #"{"listen_addrs":"0.0.0.0:5696"}"#)
        XCTAssertEqual(server.requests[1].method, "GET")
        XCTAssertEqual(server.requests[1].target, "/v1/kmip/scope?list=true")
    }

    // MARK: the executable

    static var binary: URL? {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("strongroom")
        if !FileManager.default.fileExists(atPath: url.path) {
            url = url.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("strongroom")
        }
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }

    struct Run { var status: Int32; var stdout: String; var stderr: String }

    func strongroom(_ args: [String], env: [String: String] = [:], stdin: String = "") throws -> Run {
        guard let binary = Self.binary else { throw XCTSkip("strongroom executable not built beside the tests") }
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("VAULT_") && !$0.key.hasPrefix("STRONGROOM_") }
        environment.merge(env) { _, new in new }
        p.environment = environment
        let input = Pipe(), output = Pipe(), error = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = error
        try p.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    func testSeedWalkthroughWithTheBinary() throws {
        let env = ["STRONGROOM_ADDR": server.address, "STRONGROOM_TOKEN": "s.bin"]
        var r = try strongroom(["secrets", "enable", "kmip"], env: env)
        XCTAssertEqual(r.stdout, "Success! Enabled the kmip secrets engine at: kmip/\n", r.stderr)
        r = try strongroom(["secrets", "enable", "-path=kmip2", "kmip"], env: env)
        XCTAssertEqual(r.stdout, "Success! Enabled the kmip secrets engine at: kmip2/\n", r.stderr)
        r = try strongroom(["write", "kmip/config", "listen_addrs=0.0.0.0:5696"], env: env)
        XCTAssertEqual(r.stdout, "Success! Data written to: kmip/config\n", r.stderr)
        r = try strongroom(["write", "-f", "kmip/scope/my-service"], env: env)
        XCTAssertEqual(r.stdout, "Success! Data written to: kmip/scope/my-service\n", r.stderr)
        r = try strongroom(["write", "kmip/scope/my-service/role/admin", "operation_all=true"], env: env)
        XCTAssertEqual(r.stdout, "Success! Data written to: kmip/scope/my-service/role/admin\n", r.stderr)
        r = try strongroom(["write", "-f", "kmip/scope/my-service/role/admin/credential/generate"], env: env)
        XCTAssertTrue(r.stdout.hasPrefix("Key              Value\n---              -----\nca_chain         [-----BEGIN CERTIFICATE-----"), r.stdout + r.stderr)
        r = try strongroom(["delete", "kmip/scope/x", "force=true"], env: env)
        XCTAssertEqual(r.stdout, "Success! Data deleted (if it existed) at: kmip/scope/x\n", r.stderr)
        r = try strongroom(["secrets", "disable", "kmip2"], env: env)
        XCTAssertEqual(r.stdout, "Success! Disabled the secrets engine (if it existed) at: kmip2/\n", r.stderr)

        let targets = server.requests.map { "\($0.method) \($0.target)" }
        XCTAssertEqual(targets, [
            "POST /v1/sys/mounts/kmip", "POST /v1/sys/mounts/kmip2", "PUT /v1/kmip/config", "PUT /v1/kmip/scope/my-service",
            "PUT /v1/kmip/scope/my-service/role/admin", "PUT /v1/kmip/scope/my-service/role/admin/credential/generate",
            "DELETE /v1/kmip/scope/x?force=true", "DELETE /v1/sys/mounts/kmip2",
        ])
        XCTAssertTrue(server.requests.allSatisfy { $0.headers["x-vault-token"] == "s.bin" })
    }

    func testSingleDashFlagsAnywhere() throws {
        let env = ["VAULT_ADDR": "http://127.0.0.1:1"]   // -address must win over it
        var r = try strongroom(["read", "-address=\(server.address)", "kmip/ca", "-format=json"], env: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("{\n  \"request_id\": \"r\",\n"), r.stdout)
        r = try strongroom(["read", "-address", server.address, "-field=ca_pem", "kmip/ca"])
        XCTAssertEqual(r.stdout, "PEM")
        r = try strongroom(["list", "-address=\(server.address)", "kmip/scope"])
        XCTAssertEqual(r.stdout, "Keys\n----\nmy-service\n")
        r = try strongroom(["write", "-address=\(server.address)", "-force", "kmip/scope/my-service"])
        XCTAssertEqual(r.stdout, "Success! Data written to: kmip/scope/my-service\n", r.stderr)
        // Go's flag package also takes a double dash.
        r = try strongroom(["read", "--address=\(server.address)", "--format=json", "--field=ca_pem", "kmip/ca"])
        XCTAssertEqual(r.stdout, "\"PEM\"", r.stderr)
        r = try strongroom(["list", "-format", "json", "-address", server.address, "kmip/scope"])
        XCTAssertEqual(r.stdout, "[\n  \"my-service\"\n]\n", r.stderr)
    }

    func testLoneDashReadsJSONFromStdin() throws {
        let r = try strongroom(["write", "-address=\(server.address)", "kmip/config", "-"], stdin: #"{"listen_addrs":["0.0.0.0:5696"]}"#)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(server.requests.last?.body, #"{"listen_addrs":["0.0.0.0:5696"]}"#)
    }

    func testExitCodes() throws {
        var r = try strongroom(["read", "-address=\(server.address)", "kmip/missing"])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr, "No value found at kmip/missing\n")
        r = try strongroom(["write", "-address=\(server.address)", "kmip/config", "listen_addrs=bad"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.hasPrefix("Error writing data to kmip/config: Error making API request."), r.stderr)
        r = try strongroom(["write", "-address=\(server.address)", "kmip/scope/x"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "Must supply data or use -force\n")
    }

    func testCompletionScriptsIncludeTheAPICommands() throws {
        for shell in ["bash", "zsh", "fish"] {
            let r = try strongroom(["--generate-completion-script", shell])
            XCTAssertEqual(r.status, 0, r.stderr)
            // fish spells single-dash long options `-o 'name'`.
            let options = shell == "fish" ? ["-o 'format'", "-o 'address'", "-o 'force'"] : ["-format", "-address", "-force"]
            let values = shell == "fish" ? "'table json'" : "'json'"
            for word in ["secrets", "write", "list", "delete", values] + options {
                XCTAssertTrue(r.stdout.contains(word), "\(shell) completion lacks \(word)")
            }
        }
    }
}
