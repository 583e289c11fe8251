import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOSSL
import KMIPTestSupport
import XCTest
@testable import StrongroomAPI
import VaultFramework

/// The API over HTTP through Hummingbird's test client.
final class HTTPTests: XCTestCase {
    static let list = HTTPRequest.Method("LIST")!

    func app(_ h: APIHarness) -> some ApplicationProtocol { H.app(h) }

    func testHealthTokensAndErrorEnvelopes() async throws {
        let h = try await APIHarness.make()
        let root = h.root
        try await app(h).test(.router) { client in
            try await client.execute(uri: "/v1/sys/health", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(H.parse(r.body)?["sealed"], false)
            }
            try await client.execute(uri: "/v1/sys/health", method: .head) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.body.readableBytes, 0)
            }
            try await client.execute(uri: "/v1/sys/mounts", method: .get) { r in
                XCTAssertEqual(r.status, .forbidden)
                XCTAssertEqual(H.parse(r.body), ["errors": ["permission denied"]])
                XCTAssertEqual(r.headers[.contentType], "application/json")
            }
            var bearer = HTTPFields()
            bearer[.authorization] = "Bearer \(root)"
            try await client.execute(uri: "/v1/auth/token/lookup-self", method: .get, headers: bearer) { r in
                XCTAssertEqual(r.status, .ok)
                let body = H.parse(r.body)
                XCTAssertEqual(body?["data"]?["policies"], ["root"])
                XCTAssertNotNil(body?["request_id"]?.stringValue)
                XCTAssertEqual(body?["lease_id"], "")
                XCTAssertEqual(body?["wrap_info"], .null)
            }
            try await client.execute(uri: "/v1/nowhere", method: .get, headers: H.headers(root)) { r in
                XCTAssertEqual(r.status, .notFound)
            }
            try await client.execute(uri: "/elsewhere", method: .get, headers: H.headers(root)) { r in
                XCTAssertEqual(r.status, .notFound)
            }
            try await client.execute(uri: "/v1/sys/mounts/kmip", method: .post, headers: H.headers(root),
                                     body: ByteBuffer(string: "{not json")) { r in
                XCTAssertEqual(r.status, .badRequest)
                XCTAssertEqual(H.parse(r.body)?["errors"]?.listValue?.count, 1)
            }
            try await client.execute(uri: "/v1/sys/mounts/kmip", method: .post, headers: H.headers(root),
                                     body: ByteBuffer(string: "[1]")) { r in
                XCTAssertEqual(r.status, .badRequest)
            }
            let big = VaultValue.object(["type": "kmip", "description": .string(String(repeating: "x", count: 70_000))])
            try await client.execute(uri: "/v1/sys/mounts/kmip", method: .post, headers: H.headers(root), body: H.json(big)) { r in
                XCTAssertEqual(r.status, .contentTooLarge)
            }
            try await client.execute(uri: "/v1/sys/mounts", method: .patch, headers: H.headers(root)) { r in
                XCTAssertEqual(r.status, .methodNotAllowed)
            }
        }
        let mounts = try await h.store.mounts()
        XCTAssertTrue(mounts.isEmpty, "refused bodies change nothing")
    }

    func testKMIPFlowOverHTTPWithTwoMounts() async throws {
        let h = try await APIHarness.make()
        let t = H.headers(h.root)
        try await app(h).test(.router) { client in
            for (path, port) in [("kmip", 5696), ("team/kmip", 5697)] {
                try await client.execute(uri: "/v1/sys/mounts/\(path)", method: .post, headers: t,
                                         body: H.json(["type": "kmip"])) { r in XCTAssertEqual(r.status, .noContent) }
                try await client.execute(uri: "/v1/\(path)/config", method: .post, headers: t,
                                         body: H.json(["listen_addrs": .string("127.0.0.1:\(port)")])) { r in
                    XCTAssertEqual(r.status, .noContent)
                    XCTAssertEqual(r.body.readableBytes, 0)
                }
            }
            let caA = try await client.execute(uri: "/v1/kmip/ca", method: .get, headers: t) { r in
                H.parse(r.body)?["data"]?["ca_pem"]?.stringValue
            }
            let caB = try await client.execute(uri: "/v1/team/kmip/ca", method: .get, headers: t) { r in
                H.parse(r.body)?["data"]?["ca_pem"]?.stringValue
            }
            XCTAssertNotNil(caA)
            XCTAssertNotNil(caB)
            XCTAssertNotEqual(caA, caB)

            try await client.execute(uri: "/v1/kmip/scope", method: Self.list, headers: t) { r in
                XCTAssertEqual(r.status, .notFound)
                XCTAssertEqual(H.parse(r.body), ["errors": []])
            }
            try await client.execute(uri: "/v1/kmip/scope/s1", method: .post, headers: t) { r in
                XCTAssertEqual(r.status, .noContent)
            }
            try await client.execute(uri: "/v1/kmip/scope/s1/role/r1", method: .post, headers: t,
                                     body: H.json(["operation_all": true, "colour": "blue"])) { r in
                XCTAssertEqual(r.status, .ok, "warnings turn a 204 into a 200")
                XCTAssertEqual(H.parse(r.body)?["warnings"], ["Endpoint ignored these unrecognized parameters: [colour]"])
            }
            // LIST verb and GET ?list=true answer the same.
            let viaVerb = try await client.execute(uri: "/v1/kmip/scope", method: Self.list, headers: t) { r in
                XCTAssertEqual(r.status, .ok)
                return H.parse(r.body)?["data"]
            }
            let viaQuery = try await client.execute(uri: "/v1/kmip/scope?list=true", method: .get, headers: t) { r in
                XCTAssertEqual(r.status, .ok)
                return H.parse(r.body)?["data"]
            }
            XCTAssertEqual(viaVerb, ["keys": ["s1"]])
            XCTAssertEqual(viaVerb, viaQuery)
            // GET without list=true on a list-only path is unsupported.
            try await client.execute(uri: "/v1/kmip/scope", method: .get, headers: t) { r in
                XCTAssertEqual(r.status, .methodNotAllowed)
            }

            let serial = try await client.execute(uri: "/v1/kmip/scope/s1/role/r1/credential/generate", method: .post,
                                                  headers: t) { r in
                XCTAssertEqual(r.status, .ok)
                return H.parse(r.body)?["data"]?["serial_number"]?.stringValue
            }
            let s = try XCTUnwrap(serial)
            try await client.execute(uri: "/v1/kmip/scope/s1/role/r1/credential/lookup?serial_number=\(s)", method: .get,
                                     headers: t) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(H.parse(r.body)?["data"]?["serial_number"]?.stringValue, s)
                XCTAssertNil(H.parse(r.body)?["data"]?["private_key"])
            }
            try await client.execute(uri: "/v1/kmip/scope/s1/role/r1/credential?list=true", method: .get, headers: t) { r in
                XCTAssertEqual(H.parse(r.body)?["data"]?["keys"], [.string(s)])
            }
            // The team mount has its own scopes.
            try await client.execute(uri: "/v1/team/kmip/scope?list=true", method: .get, headers: t) { r in
                XCTAssertEqual(r.status, .notFound)
            }
            // DELETE with force as a query parameter.
            try await client.execute(uri: "/v1/kmip/scope/s1?force=true", method: .delete, headers: t) { r in
                XCTAssertEqual(r.status, .noContent)
            }
            try await client.execute(uri: "/v1/sys/mounts", method: .get, headers: t) { r in
                let body = H.parse(r.body)
                XCTAssertEqual(body?["kmip/"]?["type"], "kmip")
                XCTAssertEqual(body?["data"]?["team/kmip/"]?["type"], "kmip")
            }
        }
    }

    func testServesHTTPSWithTheConfiguredCertificate() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("api-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cert = dir.appendingPathComponent("api.pem").path, key = dir.appendingPathComponent("api-key.pem").path
        try OpenSSLTool.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", cert])

        // Unreadable TLS files fail before anything listens: never plain HTTP when TLS was asked for.
        let h = try await APIHarness.make()
        XCTAssertThrowsError(try buildApplication(
            configuration: APIConfiguration(port: 0, tls: APITLSFiles(certificateFile: dir.path + "/none.pem", keyFile: key)),
            router: h.router))

        let port = NIOLockedValueBox<Int?>(nil)
        let app = try buildApplication(configuration: APIConfiguration(port: 0, tls: APITLSFiles(certificateFile: cert, keyFile: key)),
                                       router: h.router, onServerRunning: { channel in port.withLockedValue { $0 = channel.localAddress?.port } })
        let serving = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { serving.cancel() }
        var bound: Int?
        for _ in 0..<200 where bound == nil {
            try await Task.sleep(for: .milliseconds(25))
            bound = port.withLockedValue { $0 }
        }
        let listening = try XCTUnwrap(bound)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(cert)
        let client = TestClient(host: "127.0.0.1", port: listening,
                                configuration: .init(tlsConfiguration: tls, serverName: "localhost"))
        client.connect()
        let response = try await client.execute(.init("/v1/sys/health", method: .get))
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(H.parse(response.body ?? ByteBuffer())?["sealed"], false)
        try await client.shutdown()
        // Plain HTTP to the TLS port gets no API answer.
        let plain = TestClient(host: "127.0.0.1", port: listening, configuration: .init(timeout: .seconds(2)))
        plain.connect()
        let answer = try? await plain.execute(.init("/v1/sys/health", method: .get))
        XCTAssertNil(answer)
        try? await plain.shutdown()
    }

    func testListVerbRewrite() {
        func rewrite(_ s: String) -> String? {
            ListVerbRewriter.rewrite(ByteBuffer(string: s)).map { b in String(decoding: b.readableBytesView, as: UTF8.self) }
        }
        XCTAssertEqual(rewrite("LIST /v1/kmip/scope HTTP/1.1\r\nHost: x\r\n\r\n"),
                       "GET /v1/kmip/scope?list=true HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(rewrite("LIST /v1/a?x=1 HTTP/1.1\r\n\r\n"), "GET /v1/a?x=1&list=true HTTP/1.1\r\n\r\n")
        XCTAssertNil(rewrite("GET /v1/a HTTP/1.1\r\n\r\n"))
        XCTAssertNil(rewrite("LIST /v1/no-space-yet"))
    }

    /// A real socket: NIO's parser alone would refuse the LIST verb.
    func testLiveServer() async throws {
        let observer = RecordingObserver()
        let h = try await APIHarness.make(observers: [observer])
        let t = H.headers(h.root)
        try await app(h).test(.live) { client in
            try await client.execute(uri: "/v1/sys/health", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
            }
            try await client.execute(uri: "/v1/sys/mounts/kmip", method: .put, headers: t, body: H.json(["type": "kmip"])) { r in
                XCTAssertEqual(r.status, .noContent)
            }
            try await client.execute(uri: "/v1/sys/mounts/x", method: .post, headers: t, body: H.json(["type": "kv"])) { r in
                XCTAssertEqual(r.status, .badRequest)
                XCTAssertEqual(H.parse(r.body), ["errors": ["plugin not found in the catalog: kv"]])
            }
            try await client.execute(uri: "/v1/kmip/scope/a%2Db", method: .post, headers: t) { r in
                XCTAssertEqual(r.status, .noContent)
            }
            try await client.execute(uri: "/v1/kmip/scope", method: Self.list, headers: t) { r in
                XCTAssertEqual(H.parse(r.body)?["data"]?["keys"]?.listValue?.count, 1)
            }
        }
        let peers = observer.peers
        XCTAssertEqual(peers.map(\.method), ["GET", "PUT", "POST", "POST", "GET"], "LIST arrives as GET ?list=true")
        XCTAssertTrue(peers.allSatisfy { $0.remote?.hasPrefix("127.0.0.1:") ?? false }, "\(peers)")
    }
}


/// Helpers of ``HTTPTests`` (static: test closures must not capture the test case).
enum H {
    static func app(_ h: APIHarness) -> some ApplicationProtocol {
        try! buildApplication(configuration: APIConfiguration(port: 0, maxBodySize: 64 * 1024), router: h.router)
    }

    static func headers(_ token: String?) -> HTTPFields {
        var f = HTTPFields()
        if let token { f[HTTPField.Name("X-Vault-Token")!] = token }
        return f
    }

    static func json(_ value: VaultValue) -> ByteBuffer { ByteBuffer(bytes: value.jsonBytes) }

    static func parse(_ buffer: ByteBuffer) -> VaultValue? { try? VaultValue.parse(Data(buffer.readableBytesView)) }

}
