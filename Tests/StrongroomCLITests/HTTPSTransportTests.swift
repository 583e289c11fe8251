import Foundation
import KMIPTestSupport
import XCTest
@testable import StrongroomCLI

/// The CLI's HTTP client against `openssl s_server` (an independent TLS server) with a private CA:
/// trusted through `-ca-cert`, refused without it or for another host name, accepted with
/// `-tls-skip-verify`.
final class HTTPSTransportTests: XCTestCase {
    var directory: URL!
    var server: Process?
    var port = 0

    override func setUpWithError() throws {
        guard OpenSSLTool.isInstalled else { throw XCTSkip("openssl is not installed") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("https-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        try OpenSSLTool.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                             "-keyout", path("ca.key"), "-out", path("ca.pem"), "-subj", "/CN=Test CA", "-days", "1"])
        try OpenSSLTool.run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                             "-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=localhost"])
        try "subjectAltName=DNS:localhost\n".write(toFile: path("ext"), atomically: true, encoding: .utf8)
        try OpenSSLTool.run(["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
                             "-CAcreateserial", "-out", path("server.pem"), "-days", "1", "-extfile", path("ext")])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: OpenSSLTool.path)
        process.arguments = ["s_server", "-accept", "127.0.0.1:0", "-cert", path("server.pem"), "-key", path("server.key"), "-www"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        server = process
        // s_server prints "ACCEPT 127.0.0.1:PORT" once it listens.
        var text = ""
        while !text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().contains(where: { $0.hasPrefix("ACCEPT") }) {
            let chunk = out.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        port = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("ACCEPT") }
            .flatMap { $0.split(separator: ":").last }.flatMap { Int($0) }, "s_server said: \(text)")
    }

    override func tearDown() {
        server?.terminate()
        server?.waitUntilExit()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func get(_ host: String, _ transport: AsyncHTTPClientTransport) async throws -> HTTPResponse {
        try await transport.send(HTTPRequest(method: "GET", url: URL(string: "https://\(host):\(port)/")!))
    }

    func testAPrivateCAIsTrustedThroughCACert() async throws {
        let ca = directory.appendingPathComponent("ca.pem").path
        let response = try await get("localhost", AsyncHTTPClientTransport(caCertFile: ca, timeout: .seconds(10)))
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(String(decoding: response.body, as: UTF8.self).contains("s_server"))
    }

    func testAnUntrustedServerOrAnotherNameIsRefused() async throws {
        do {
            _ = try await get("localhost", AsyncHTTPClientTransport(timeout: .seconds(10)))
            XCTFail("a certificate of a CA outside the trust store was accepted")
        } catch let error as HTTPTransportError {
            XCTAssertTrue(error.description.contains("GET https://localhost"), error.description)
        }
        // Trusting a different CA does not help.
        let other = directory.appendingPathComponent("other.pem").path
        try OpenSSLTool.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                             "-keyout", directory.appendingPathComponent("other.key").path, "-out", other,
                             "-subj", "/CN=Other CA", "-days", "1"])
        do {
            _ = try await get("localhost", AsyncHTTPClientTransport(caCertFile: other, timeout: .seconds(10)))
            XCTFail("a certificate of another CA was accepted")
        } catch is HTTPTransportError {}
        // A name the certificate does not carry (it names localhost only), on the same server.
        let ca = directory.appendingPathComponent("ca.pem").path
        do {
            _ = try await get("127.0.0.1", AsyncHTTPClientTransport(caCertFile: ca, timeout: .seconds(10)))
            XCTFail("a certificate for another name was accepted")
        } catch is HTTPTransportError {}
        // A CA file that cannot be read is an error, not a fallback to the system store.
        do {
            _ = try await get("localhost", AsyncHTTPClientTransport(caCertFile: directory.appendingPathComponent("missing.pem").path))
            XCTFail("a missing CA file was ignored")
        } catch let error as HTTPTransportError {
            XCTAssertTrue(error.description.contains("cannot read the CA certificate"), error.description)
        }
    }

    func testSkipVerifyAcceptsAnyCertificate() async throws {
        let response = try await get("localhost", AsyncHTTPClientTransport(skipVerify: true, timeout: .seconds(10)))
        XCTAssertEqual(response.status, 200)
        // The configuration's flags reach the transport.
        let configured = AsyncHTTPClientTransport(ClientConfiguration(address: "https://localhost:\(port)", tlsSkipVerify: true))
        XCTAssertTrue(configured.skipVerify)
    }
}
