import KMIP
import NIOCore
import NIOHTTP1

/// KMIP over HTTPS for the client: each TTLV message the client sends becomes a `POST` with its
/// body in `encoding`; each `200` answer's body becomes the TTLV message ``KMIPClientHandler``
/// matches to its caller. Any other status fails the exchange with the server's text.
final class ClientHTTPFraming: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = [UInt8]
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = HTTPClientRequestPart

    let encoding: MessageEncoding
    let path: String
    let host: String
    let limits: Limits
    private var status: HTTPResponseStatus?
    private var body = ByteBuffer()

    init(encoding: MessageEncoding, path: String, host: String, limits: Limits) {
        self.encoding = encoding
        self.path = path
        self.host = host
        self.limits = limits
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let message = Self.unwrapOutboundIn(data)
        let body: [UInt8]
        do { body = try self.encoding.body(fromTTLV: Array(message.readableBytesView), limits: MessageEncoding.responseLimits) } catch {
            promise?.fail(KMIPClientError(.invalidConfiguration, "the request cannot be encoded as \(self.encoding.rawValue): \(error)"))
            return
        }
        var headers = HTTPHeaders()
        headers.add(name: "host", value: self.host)
        headers.add(name: "content-type", value: self.encoding.contentType)
        headers.add(name: "content-length", value: String(body.count))
        headers.add(name: "cache-control", value: "no-cache")
        context.write(Self.wrapOutboundOut(.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: self.path, headers: headers))),
                      promise: nil)
        context.write(Self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        context.write(Self.wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            self.status = head.status
            self.body.clear()
        case .body(var part):
            guard self.body.readableBytes + part.readableBytes <= self.encoding.maxBodyBytes(self.limits) else {
                context.fireErrorCaught(KMIPClientError(.invalidResponse, "the HTTPS response is larger than the limit"))
                return
            }
            self.body.writeBuffer(&part)
        case .end:
            let bytes = Array(self.body.readableBytesView)
            self.body.clear()
            guard self.status == .ok else {
                let text = String(decoding: bytes.prefix(512), as: UTF8.self).trimmingSuffixNewlines
                context.fireErrorCaught(KMIPClientError(
                    .invalidResponse, "HTTP \(self.status.map { "\($0.code) \($0.reasonPhrase)" } ?? "?"): \(text)"))
                return
            }
            do { context.fireChannelRead(Self.wrapInboundOut(try self.encoding.ttlv(fromBody: bytes, limits: self.limits))) } catch {
                context.fireErrorCaught(KMIPClientError(.invalidResponse, "the HTTPS response is not a KMIP message: \(error)"))
            }
        }
    }
}

extension String {
    fileprivate var trimmingSuffixNewlines: String {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
