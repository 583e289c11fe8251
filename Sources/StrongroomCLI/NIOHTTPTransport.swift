import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// HTTPS over SwiftNIO and NIOSSL, for what URLSession cannot do on Linux: trust a private CA
/// (`-ca-cert`, `STRONGROOM_CACERT`) or skip verification (`-tls-skip-verify`). One request per
/// connection (`Connection: close`); the server name is verified against the address's host.
public struct NIOHTTPTransport: HTTPTransport {
    public var caCertFile: String?
    public var skipVerify: Bool
    public var timeout: TimeAmount
    /// Largest response body read (the API's answers are small; a credential is a few KiB).
    public static let maxResponseBytes = 16 << 20

    public init(caCertFile: String?, skipVerify: Bool, timeout: TimeAmount = .seconds(60)) {
        self.caCertFile = caCertFile
        self.skipVerify = skipVerify
        self.timeout = timeout
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let host = request.url.host, !host.isEmpty else { throw HTTPTransportError("no host in \(request.url)") }
        let https = request.url.scheme?.lowercased() == "https"
        let port = request.url.port ?? (https ? 443 : 80)
        let tls = try https ? makeTLSContext() : nil
        let collector = ResponseCollector(limit: Self.maxResponseBytes)
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let name = host.first == "[" || host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: name))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
        let channel: any Channel
        do { channel = try await bootstrap.connect(host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port).get() } catch {
            throw HTTPTransportError("cannot connect to \(host):\(port): \(error)")
        }
        let timer = channel.eventLoop.scheduleTask(in: timeout) { collector.fail(HTTPTransportError("no answer within \(timeout)"), channel) }
        defer { timer.cancel() }
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: Self.target(request.url))
        head.headers.add(name: "Host", value: request.url.port.map { "\(host):\($0)" } ?? host)
        head.headers.add(name: "Connection", value: "close")
        head.headers.add(name: "Content-Length", value: String(request.body?.count ?? 0))
        for (name, value) in request.headers { head.headers.add(name: name, value: value) }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body = request.body, !body.isEmpty {
            channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        }
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
        defer { channel.close(promise: nil) }
        return try await collector.response.futureResult.get()
    }

    /// Path and query of `url`, as the request line carries them.
    static func target(_ url: URL) -> String {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "/" }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        return components.percentEncodedQuery.map { "\(path)?\($0)" } ?? path
    }

    func makeTLSContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if skipVerify {
            configuration.certificateVerification = .none
        } else if let caCertFile {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caCertFile))
            } catch {
                throw HTTPTransportError("cannot read the CA certificate \(caCertFile): \(error)")
            }
        }
        return try NIOSSLContext(configuration: configuration)
    }
}

/// Collects one HTTP response and completes `response` (or fails it when the connection ends first).
final class ResponseCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    let response: EventLoopPromise<HTTPResponse>
    private let state: NIOLockedValueBox<(status: Int, body: ByteBuffer, done: Bool)>
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
        self.response = MultiThreadedEventLoopGroup.singleton.any().makePromise()
        self.state = NIOLockedValueBox((0, ByteBuffer(), false))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            state.withLockedValue { $0.status = Int(head.status.code) }
        case .body(var part):
            let tooLarge = state.withLockedValue { s -> Bool in
                s.body.writeBuffer(&part)
                return s.body.readableBytes > limit
            }
            if tooLarge { fail(HTTPTransportError("the response is larger than \(limit) bytes"), context.channel) }
        case .end:
            let done = state.withLockedValue { s -> (Int, Data)? in
                guard !s.done else { return nil }
                s.done = true
                return (s.status, Data(s.body.readableBytesView))
            }
            if let (status, body) = done { response.succeed(HTTPResponse(status: status, body: body)) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(HTTPTransportError("\(error)"), context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(HTTPTransportError("the connection closed before a complete response"), nil)
    }

    func fail(_ error: HTTPTransportError, _ channel: (any Channel)?) {
        let first = state.withLockedValue { s -> Bool in
            defer { s.done = true }
            return !s.done
        }
        if first { response.fail(error) }
        channel?.close(promise: nil)
    }
}
