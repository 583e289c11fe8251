import Foundation
import KMIP
import KMIPClient
import KMIPPKI
import KMIPTransport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import XCTest

/// KMIP over HTTPS (`Framing.https`): the client in each encoding, and every refusal a stranger's
/// or a careless client's request can meet, over real mutual TLS.
final class HTTPSListenerTests: XCTestCase {
    func startHTTPS(_ configure: (inout TransportConfiguration) -> Void = { _ in }) async throws -> TestServer {
        try await TestServer.start { c in
            c.framing = .https
            configure(&c)
        }
    }

    func testTheClientSpeaksEachEncodingOnOneConnectionAndIsKnownByItsCertificate() async throws {
        let server = try await startHTTPS()
        defer { Task { await server.listener.shutdown() } }
        for encoding in MessageEncoding.allCases {
            for path in ["/kmip", "/kmip/2_1"] {
                var configuration = server.clientConfiguration()
                configuration.httpsEncoding = encoding
                configuration.httpPath = path
                let client = try await KMIPClient.connect(configuration)
                let versions = try await client.discoverVersions()
                XCTAssertEqual(versions, [.v1_4, .v1_3, .v1_2, .v1_1, .v1_0], "\(encoding) \(path)")
                // A second exchange on the same connection (keep-alive), answered as the stub names its caller.
                do {
                    _ = try await client.call(.get, GetRequestPayload(), as: GetResponsePayload.self)
                    XCTFail("the stub fails Get")
                } catch let error as KMIPError {
                    XCTAssertEqual(error.reason, .operationNotSupported)
                    XCTAssertTrue(error.message.contains("scope=scop1 role=role1"), error.message)
                }
                XCTAssertTrue(client.isActive)
                await client.close()
            }
        }
        XCTAssertEqual(server.processor.calls, MessageEncoding.allCases.count * 2 * 2)
    }

    func testATTLVClientIsNotAnsweredOnTheHTTPSPortNorAnHTTPSClientOnTheTTLVPort() async throws {
        let https = try await startHTTPS()
        let ttlv = try await TestServer.start()
        defer { Task { await https.listener.shutdown(); await ttlv.listener.shutdown() } }
        var plain = https.clientConfiguration()
        plain.timeout = .seconds(2)
        let refusedPlain = await exchangeFails(plain)
        XCTAssertTrue(refusedPlain, "TTLV bytes on the HTTPS port were answered")
        var overHTTPS = ttlv.clientConfiguration()
        overHTTPS.httpsEncoding = .json
        overHTTPS.timeout = .seconds(2)
        let refusedHTTPS = await exchangeFails(overHTTPS)
        XCTAssertTrue(refusedHTTPS, "an HTTP request on the TTLV port was answered")
        XCTAssertEqual(https.processor.calls + ttlv.processor.calls, 0)
    }

    func testRequestsThatAreNotKMIPPostsAreRefusedAndTheConnectionCloses() async throws {
        let server = try await startHTTPS { $0.limits.maxMessageBytes = 4096 }
        defer { Task { await server.listener.shutdown() } }
        let request = discoverVersionsRequest()
        let cases: [(String, [UInt8], Int)] = [
            ("GET", Array("GET /kmip HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 405),
            ("other path", post("/kmip/other", type: "application/octet-stream", body: request), 404),
            ("no content type", Array("POST /kmip HTTP/1.1\r\nHost: x\r\nContent-Length: \(request.count)\r\n\r\n".utf8) + request, 415),
            ("wrong content type", post("/kmip", type: "text/plain", body: request), 415),
            ("declared huge body", Array("POST /kmip HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n".utf8), 413),
            ("chunked huge body", Array("POST /kmip HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
                + chunked([UInt8](repeating: 0x41, count: 5000)), 413),
            ("not HTTP", Array("\u{1}\u{2}\u{3} nonsense\r\n\r\n".utf8), 400),
            ("20 KiB of headers", Array(("POST /kmip HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X-Pad: \(String(repeating: "a", count: 1000))\r\n", count: 20)).utf8), 400),
            ("100 header fields", Array(("POST /kmip HTTP/1.1\r\nHost: x\r\n" + (0..<100).map { "X-\($0): 1\r\n" }.joined()).utf8), 400),
        ]
        for (name, bytes, status) in cases {
            let client = try await RawHTTPSClient.connect(port: server.port, credential: server.pki.client)
            try await client.send(bytes)
            let closed = await client.waitClosed(within: .seconds(5))
            XCTAssertTrue(closed, "\(name): the connection stayed open")
            XCTAssertTrue(client.text.hasPrefix("HTTP/1.1 \(status)"), "\(name): \(client.text.prefix(80))")
            await client.close()
        }
        XCTAssertEqual(server.processor.calls, 0, "a refused request reached the processor")
    }

    func testExpect100ContinueIsAnsweredBeforeTheBody() async throws {
        let server = try await startHTTPS()
        defer { Task { await server.listener.shutdown() } }
        let client = try await RawHTTPSClient.connect(port: server.port, credential: server.pki.client)
        let body = discoverVersionsRequest()
        try await client.send(Array("POST /kmip HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: \(body.count)\r\nExpect: 100-continue\r\n\r\n".utf8))
        let asked = await waitUntil(.seconds(5)) { client.text.contains("\r\n\r\n") }
        XCTAssertTrue(asked, "no interim answer")
        XCTAssertTrue(client.text.hasPrefix("HTTP/1.1 100 Continue\r\n"), String(client.text.prefix(60)))
        let interim = client.headerEnd(after: 0)
        try await client.send(body)
        let answered = await waitUntil(.seconds(5)) { client.responseComplete(after: interim) }
        XCTAssertTrue(answered)
        XCTAssertTrue(String(decoding: client.bytes.dropFirst(interim), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        let message = try ResponseMessage(ttlv: Array(client.bytes.dropFirst(client.headerEnd(after: interim))))
        XCTAssertEqual(message.batchItems.first?.resultStatus, .success)
        // Refused from its headers: the refusal, never a 100.
        let refused = try await RawHTTPSClient.connect(port: server.port, credential: server.pki.client)
        try await refused.send(Array("POST /kmip HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n".utf8))
        let closed = await refused.waitClosed(within: .seconds(5))
        XCTAssertTrue(closed)
        XCTAssertTrue(refused.text.hasPrefix("HTTP/1.1 415"), String(refused.text.prefix(60)))
        await client.close()
    }

    func testASlowBodyIsCutOffWith408() async throws {
        let server = try await startHTTPS { $0.httpRequestTimeout = .milliseconds(300) }
        defer { Task { await server.listener.shutdown() } }
        let client = try await RawHTTPSClient.connect(port: server.port, credential: server.pki.client)
        try await client.send(Array("POST /kmip HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 100\r\n\r\n0123456789".utf8))
        let closed = await client.waitClosed(within: .seconds(5))
        XCTAssertTrue(closed, "a slow body held the connection")
        XCTAssertTrue(client.text.hasPrefix("HTTP/1.1 408"), String(client.text.prefix(80)))
        XCTAssertEqual(server.processor.calls, 0)
    }

    func testABodyThatIsNoMessageGetsAKMIPRefusalAndTheConnectionServesOn() async throws {
        let server = try await startHTTPS()
        defer { Task { await server.listener.shutdown() } }
        let client = try await RawHTTPSClient.connect(port: server.port, credential: server.pki.client)
        let truncated = Array(discoverVersionsRequest().prefix(20))
        let bodies: [(String, [UInt8], MessageEncoding)] = [
            ("application/json", Array("{\"tag\": \"RequestMessage\", \"value\": [".utf8), .json),
            ("text/xml", Array("<RequestMessage><Nonsense/>".utf8), .xml),
            ("application/octet-stream", truncated, .ttlv),
        ]
        for (type, body, encoding) in bodies {
            let before = client.bytes.count
            try await client.send(post("/kmip", type: type, body: body))
            let answered = await waitUntil(.seconds(5)) { client.responseComplete(after: before) }
            XCTAssertTrue(answered, "\(type): no answer")
            let response = String(decoding: client.bytes.dropFirst(before), as: UTF8.self)
            XCTAssertTrue(response.hasPrefix("HTTP/1.1 200"), "\(type): \(response.prefix(80))")
            XCTAssertTrue(response.lowercased().contains("content-type: \(encoding.contentType)"), response)
            let bodyBytes = Array(client.bytes.dropFirst(client.headerEnd(after: before)))
            let message = try ResponseMessage(ttlv: try encoding.ttlv(fromBody: bodyBytes, limits: .default))
            XCTAssertEqual(message.batchItems.first?.resultReason, .invalidMessage, "\(type)")
            client.consumeAll()
        }
        // The framing was intact each time: the same connection still serves a request.
        try await client.send(post("/kmip", type: "application/octet-stream", body: discoverVersionsRequest()))
        let served = await waitUntil(.seconds(5)) { client.responseComplete(after: 0) }
        XCTAssertTrue(served)
        XCTAssertTrue(client.text.hasPrefix("HTTP/1.1 200"))
        let message = try ResponseMessage(ttlv: Array(client.bytes.dropFirst(client.headerEnd(after: 0))))
        XCTAssertEqual(message.batchItems.first?.resultStatus, .success)
        XCTAssertTrue(client.isActive)
        await client.close()
    }

    func testWithoutAClientCertificateNothingIsRead() async throws {
        let server = try await startHTTPS()
        defer { Task { await server.listener.shutdown() } }
        let client = try await RawHTTPSClient.connect(port: server.port, credential: nil)
        try? await client.send(post("/kmip", type: "application/octet-stream", body: discoverVersionsRequest()))
        let closed = await client.waitClosed(within: .seconds(5))
        XCTAssertTrue(closed)
        XCTAssertFalse(client.text.contains("HTTP/1.1"), "answered without a client certificate")
        XCTAssertEqual(server.processor.calls, 0)
    }

    // MARK: Helpers

    func post(_ path: String, type: String, body: [UInt8]) -> [UInt8] {
        Array("POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
    }

    func chunked(_ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var rest = body[...]
        while !rest.isEmpty {
            let chunk = rest.prefix(1000)
            rest = rest.dropFirst(chunk.count)
            out += Array(String(chunk.count, radix: 16).utf8) + [13, 10] + chunk + [13, 10]
        }
        return out + Array("0\r\n\r\n".utf8)
    }
}

/// A TLS client that sends raw bytes and records every byte received.
final class RawHTTPSClient: Sendable {
    let channel: any Channel
    private let received: NIOLockedValueBox<[UInt8]>

    private init(channel: any Channel, received: NIOLockedValueBox<[UInt8]>) {
        self.channel = channel
        self.received = received
    }

    static func connect(port: Int, credential: ClientCredential?) async throws -> RawHTTPSClient {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(TestPKI.shared.ca.rootPEM.utf8)))
        configuration.certificateVerification = .noHostnameVerification
        if let credential {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(credential.certificatePEM.utf8)).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(credential.privateKeyPEM!.utf8), format: .pem))
        }
        let context = try NIOSSLContext(configuration: configuration)
        let received = NIOLockedValueBox<[UInt8]>([])
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    try channel.pipeline.syncOperations.addHandler(ByteRecorder(received: received))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawHTTPSClient(channel: channel, received: received)
    }

    var bytes: [UInt8] { self.received.withLockedValue { $0 } }
    var text: String { String(decoding: self.bytes, as: UTF8.self) }
    var isActive: Bool { self.channel.isActive }

    func send(_ bytes: [UInt8]) async throws { try await self.channel.writeAndFlush(ByteBuffer(bytes: bytes)) }
    func consumeAll() { self.received.withLockedValue { $0.removeAll() } }

    /// Where the body of the response starting at byte `start` begins.
    func headerEnd(after start: Int) -> Int {
        let b = self.bytes
        var i = start
        while i + 3 < b.count {
            if b[i] == 13, b[i + 1] == 10, b[i + 2] == 13, b[i + 3] == 10 { return i + 4 }
            i += 1
        }
        return b.count
    }

    /// True once the response starting at `start` holds as many body bytes as its Content-Length.
    func responseComplete(after start: Int) -> Bool {
        let end = headerEnd(after: start)
        let b = self.bytes
        guard end <= b.count, end > start else { return false }
        let head = String(decoding: b[start..<end], as: UTF8.self).lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) else { return false }
        return b.count - end >= length
    }

    func waitClosed(within timeout: Duration) async -> Bool { await waitUntil(timeout) { !self.channel.isActive } }
    func close() async { try? await self.channel.close() }
}

private final class ByteRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let received: NIOLockedValueBox<[UInt8]>
    init(received: NIOLockedValueBox<[UInt8]>) { self.received = received }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(Self.unwrapInboundIn(data).readableBytesView)
        self.received.withLockedValue { $0 += bytes }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}
