import HummingbirdCore
import Logging
import NIOCore

/// NIO's HTTP parser (llhttp) knows a fixed set of methods and refuses Vault's `LIST` verb (hvac and
/// others send it). This child channel puts ``ListVerbRewriter`` in front of Hummingbird's HTTP/1
/// pipeline so that `LIST /v1/p` reaches the router as `GET /v1/p?list=true`, Vault's other spelling.
struct ListVerbHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let inner: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ListVerbRewriter(), position: .first)
        }.flatMap { inner.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }

    /// Hummingbird's `.http1()` with the rewriter.
    static func builder() -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            ListVerbHTTP1Channel(inner: HTTP1Channel(responder: responder))
        }
    }
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
