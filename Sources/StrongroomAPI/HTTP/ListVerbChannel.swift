import HummingbirdCore
import Logging
import NIOCore

/// NIO's HTTP parser (llhttp) knows a fixed set of methods and refuses Vault's `LIST` verb (hvac and
/// others send it). This child channel puts ``ListVerbRewriter`` in front of Hummingbird's HTTP/1
/// pipeline so that `LIST /v1/p` reaches the router as `GET /v1/p?list=true`, Vault's other spelling.
/// It also applies the API's connection limits (``APIConnectionLimits``): a connection cap, the
/// header and request read deadlines, and Hummingbird's idle timeout.
struct ListVerbHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let inner: HTTP1Channel
    let limits: APIConnectionLimits
    let limiter: ConnectionLimiter

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard limiter.admit(channel) else {
            logger.warning("API connection refused: \(limiter.limit) connections are open (api.max_connections)")
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
        }
        // One deadline per connection, shared by its two handlers.
        let deadline = RequestDeadline(headerTimeout: limits.readHeaderTimeout, readTimeout: limits.readTimeout)
        let connection = HTTP1Channel(responder: inner.responder, configuration: .init(
            additionalChannelHandlers: [RequestDeadline.PartSide(deadline)], idleTimeout: limits.idleTimeout))
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ListVerbRewriter(), position: .first)
            try channel.pipeline.syncOperations.addHandler(RequestDeadline.RawSide(deadline), position: .first)
        }.flatMap { connection.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }

    /// Hummingbird's `.http1()` with the rewriter and the limits.
    static func builder(limits: APIConnectionLimits = APIConnectionLimits()) -> HTTPServerBuilder {
        let limiter = ConnectionLimiter(limit: limits.maxConnections)
        return HTTPServerBuilder { responder in
            ListVerbHTTP1Channel(inner: HTTP1Channel(responder: responder), limits: limits, limiter: limiter)
        }
    }
}

/// What one API connection may take (Vault's listener defaults where Vault has one).
public struct APIConnectionLimits: Sendable, Hashable {
    /// From a request's first byte to the end of its head (Vault `http_read_header_timeout`, 10 s).
    public var readHeaderTimeout: TimeAmount = .seconds(10)
    /// From a request's first byte to its end (Vault `http_read_timeout`, 30 s).
    public var readTimeout: TimeAmount = .seconds(30)
    /// Between requests (Vault `http_idle_timeout`, 5 min).
    public var idleTimeout: TimeAmount = .minutes(5)
    /// Connections open at once; more are closed at accept.
    public var maxConnections: Int = 1_024

    public init() {}
}

/// Rewrites a read that starts with a `LIST ` request line. Clients send a request only after the
/// previous answer, so a request line starts a read; a body never starts with `LIST ` (JSON).
final class ListVerbRewriter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    static let prefix = Array("LIST ".utf8)

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let rewritten = Self.rewrite(buffer) else {
            context.fireChannelRead(data)
            return
        }
        context.fireChannelRead(wrapInboundOut(rewritten))
    }

    /// `LIST <uri> HTTP/1.1…` → `GET <uri>?list=true HTTP/1.1…`; nil when the read starts otherwise.
    static func rewrite(_ buffer: ByteBuffer) -> ByteBuffer? {
        let view = buffer.readableBytesView
        guard view.count > prefix.count, view.starts(with: prefix) else { return nil }
        let uriStart = view.startIndex + prefix.count
        guard let uriEnd = view[uriStart...].firstIndex(of: UInt8(ascii: " ")), uriEnd - uriStart <= 8192 else { return nil }
        let uri = view[uriStart..<uriEnd]
        var out = ByteBuffer()
        out.reserveCapacity(view.count + 16)
        out.writeString("GET ")
        out.writeBytes(uri)
        out.writeString(uri.contains(UInt8(ascii: "?")) ? "&list=true" : "?list=true")
        out.writeBytes(view[uriEnd...])
        return out
    }
}
