import KMIP
import NIOCore
import NIOHTTP1

/// KMIP over HTTPS (the KMIP HTTPS profile), between NIOHTTP1's server codec and the
/// ``ConnectionGate``: each `POST /kmip` (or `/kmip/2_1`) whose Content-Type names a
/// ``MessageEncoding`` becomes one inbound message for the gate — one byte naming the encoding,
/// then the body (``HTTPMessage``) — and each message the connection's task writes back becomes a
/// `200` in that encoding. The gate, its limits and the client's certificate work as on the
/// binary port.
///
/// Refused at the HTTP level, answered with no KMIP body, then the connection closes: another
/// method (405), another path (404), another Content-Type (415), a body over the encoding's limit
/// (413, from Content-Length before anything is buffered), a body slower than `requestTimeout`
/// (408). A refusal waits for the answers to the requests before it, so answers stay in order.
final class HTTPFraming: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = HTTPServerResponsePart

    /// The request URIs of the profile: KMIP 1.x's, and the one KMIP 2.1 names.
    static let paths: Set<Substring> = ["/kmip", "/kmip/2_1"]

    /// A KMIP request needs a handful of short headers: 16 KiB and 64 fields in all (NIOHTTP1's
    /// defaults are 80 KiB and 65,534), past which the codec answers 400 and closes.
    static let headerLimits: NIOHTTPDecoderLimitConfiguration = {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = 8 * 1024
        limits.maxHeaderListSize = 16 * 1024
        limits.maxHeaderFieldCount = 64
        return limits
    }()

    private struct Exchange {
        let encoding: MessageEncoding
        let version: HTTPVersion
        let keepAlive: Bool
    }

    private enum Answer {
        case kmip(Exchange)
        case refusal(HTTPResponseStatus, String, HTTPVersion)
    }

    private enum Reading {
        case waiting
        case body(Exchange, ByteBuffer, limit: Int)
        /// After a refusal nothing more is read.
        case refused
    }

    private let limits: Limits
    private let requestTimeout: TimeAmount
    private var reading = Reading.waiting
    private var answers = CircularBuffer<Answer>(initialCapacity: 2)
    private var deadline: Scheduled<Void>?

    init(limits: Limits, requestTimeout: TimeAmount) {
        self.limits = limits
        self.requestTimeout = requestTimeout
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.deadline?.cancel()
        self.deadline = nil
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (Self.unwrapInboundIn(data), self.reading) {
        case (_, .refused):
            return
        case (.head(let head), .waiting):
            self.begin(head, context: context)
        case (.body(let part), .body(let exchange, var body, let limit)):
            guard body.readableBytes + part.readableBytes <= limit else {
                self.refuse(.payloadTooLarge, "the body is larger than \(limit) bytes", version: exchange.version, context: context)
                return
            }
            self.reading = .waiting   // lets `body` be appended to without a copy
            body.writeImmutableBuffer(part)
            self.reading = .body(exchange, body, limit: limit)
        case (.end, .body(let exchange, let body, _)):
            self.deadline?.cancel()
            self.deadline = nil
            self.reading = .waiting
            self.answers.append(.kmip(exchange))
            context.fireChannelRead(Self.wrapInboundOut(HTTPMessage.wrap(body, encoding: exchange.encoding, allocator: context.channel.allocator)))
        case (.body, .waiting), (.end, .waiting), (.head, .body):
            // NIOHTTP1 delivers head, body…, end in order; anything else is a codec fault.
            self.refuse(.badRequest, "malformed HTTP request", version: .http1_1, context: context)
        }
    }

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard head.method == .POST else {
            return self.refuse(.methodNotAllowed, "KMIP over HTTPS takes POST", version: head.version, context: context)
        }
        guard Self.paths.contains(path) else {
            return self.refuse(.notFound, "KMIP is served at /kmip and /kmip/2_1", version: head.version, context: context)
        }
        guard let type = head.headers.first(name: "content-type"), let encoding = MessageEncoding(contentType: type) else {
            return self.refuse(.unsupportedMediaType,
                               "Content-Type must be application/octet-stream (TTLV), application/json or text/xml",
                               version: head.version, context: context)
        }
        let limit = encoding.maxBodyBytes(self.limits)
        if let declared = head.headers.first(name: "content-length"), let length = Int(declared), length > limit {
            return self.refuse(.payloadTooLarge, "the body is larger than \(limit) bytes", version: head.version, context: context)
        }
        let exchange = Exchange(encoding: encoding, version: head.version, keepAlive: head.isKeepAlive)
        self.reading = .body(exchange, context.channel.allocator.buffer(capacity: 0), limit: limit)
        // curl asks before sending a large body; answered only when no answer is owed before it
        // (a 100 must not overtake them), else the client sends after its own short wait.
        if self.answers.isEmpty, head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
            context.writeAndFlush(Self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.deadline = context.eventLoop.scheduleTask(in: self.requestTimeout) {
            let (handler, context) = loopBound.value
            guard case .body(let exchange, _, _) = handler.reading else { return }
            handler.refuse(.requestTimeout, "the request body did not arrive in time", version: exchange.version, context: context)
        }
    }

    /// Stops reading; answers now, or after the answers owed before it.
    private func refuse(_ status: HTTPResponseStatus, _ message: String, version: HTTPVersion, context: ChannelHandlerContext) {
        self.deadline?.cancel()
        self.deadline = nil
        self.reading = .refused
        self.answers.append(.refusal(status, message, version))
        if self.answers.count == 1 { self.writeRefusal(context: context) }
    }

    func read(context: ChannelHandlerContext) {
        if case .refused = self.reading { return }
        context.read()
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .kmip(let exchange)? = self.answers.popFirst() else {
            promise?.fail(ChannelError.inappropriateOperationForState)
            return
        }
        let body = Self.unwrapOutboundIn(data)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: exchange.encoding.contentType)
        headers.add(name: "content-length", value: String(body.readableBytes))
        headers.add(name: "cache-control", value: "no-cache")
        if !exchange.keepAlive { headers.add(name: "connection", value: "close") }
        context.write(Self.wrapOutboundOut(.head(HTTPResponseHead(version: exchange.version, status: .ok, headers: headers))), promise: nil)
        context.write(Self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        if !exchange.keepAlive {
            self.reading = .refused
            context.writeAndFlush(Self.wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
            promise?.succeed()
            return
        }
        context.write(Self.wrapOutboundOut(.end(nil)), promise: promise)
        if case .refusal? = self.answers.first { self.writeRefusal(context: context) }
    }

    private func writeRefusal(context: ChannelHandlerContext) {
        guard case .refusal(let status, let message, let version)? = self.answers.popFirst() else { return }
        let body = context.channel.allocator.buffer(string: message + "\n")
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "text/plain; charset=utf-8")
        headers.add(name: "content-length", value: String(body.readableBytes))
        headers.add(name: "connection", value: "close")
        if status == .methodNotAllowed { headers.add(name: "allow", value: "POST") }
        context.write(Self.wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        context.write(Self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}

/// The message ``HTTPFraming`` hands the gate and the connection's task: one byte naming the
/// body's ``MessageEncoding``, then the body as it came.
enum HTTPMessage {
    private static let encodings = MessageEncoding.allCases

    static func wrap(_ body: ByteBuffer, encoding: MessageEncoding, allocator: ByteBufferAllocator) -> ByteBuffer {
        var message = allocator.buffer(capacity: body.readableBytes + 1)
        message.writeInteger(UInt8(encodings.firstIndex(of: encoding)!))
        message.writeImmutableBuffer(body)
        return message
    }

    /// The encoding and the body of a wrapped message.
    static func unwrap(_ message: ByteBuffer) -> (MessageEncoding, ByteBuffer) {
        var body = message
        let index = Int(body.readInteger(as: UInt8.self) ?? 0)
        return (encodings[min(index, encodings.count - 1)], body)
    }
}
