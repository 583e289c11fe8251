import KMIP
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// An async KMIP client over mutual TLS: on the KMIP port, or over HTTPS (`httpsEncoding`).
///
/// One connection; concurrent callers are safe: requests are pipelined and responses are matched to
/// callers in order (KMIP answers in order on a connection). A timed-out exchange closes the
/// connection, since later responses could no longer be matched.
public final class KMIPClient: Sendable {
    public let configuration: KMIPClientConfiguration
    private let channel: any Channel

    private init(configuration: KMIPClientConfiguration, channel: any Channel) {
        self.configuration = configuration
        self.channel = channel
    }

    public static func connect(
        _ configuration: KMIPClientConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> KMIPClient {
        let sslContext = try makeSSLContext(configuration)
        // SNI carries DNS names only; an IP is still verified (against the connected address).
        let sniHostname: String? = configuration.serverHostname.flatMap { name in
            (try? SocketAddress(ipAddress: name, port: 0)) == nil ? name : nil
        }
        let handshake = eventLoopGroup.any().makePromise(of: Void.self)
        let limits = configuration.limits
        let timeout = TimeAmount(configuration.timeout)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(timeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: sniHostname)
                        try channel.pipeline.syncOperations.addHandler(tls)
                        if let encoding = configuration.httpsEncoding {
                            try channel.pipeline.syncOperations.addHTTPClientHandlers()
                            try channel.pipeline.syncOperations.addHandler(ClientHTTPFraming(
                                encoding: encoding, path: configuration.httpPath,
                                host: "\(configuration.host):\(configuration.port)", limits: limits))
                        } else {
                            try channel.pipeline.syncOperations.addHandler(
                                ByteToMessageHandler(ClientFrameDecoder(limits: limits)))
                        }
                        try channel.pipeline.syncOperations.addHandler(
                            KMIPClientHandler(handshake: handshake))
                    }
                }
                .connect(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            let failure = KMIPClientError(
                .connectionFailed, "cannot connect to \(configuration.host):\(configuration.port): \(error)")
            handshake.fail(failure)
            throw failure
        }
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            channel.close(promise: nil)
        }
        do {
            try await handshake.futureResult.get()
            timer.cancel()
        } catch {
            timer.cancel()
            channel.close(promise: nil)
            throw KMIPClientError(.connectionFailed, "TLS handshake with \(configuration.host):\(configuration.port) failed: \(error)")
        }
        return KMIPClient(configuration: configuration, channel: channel)
    }

    private static func makeSSLContext(_ configuration: KMIPClientConfiguration) throws -> NIOSSLContext {
        func certificates(_ pems: [String], _ what: String) throws -> [NIOSSLCertificate] {
            do {
                return try pems.flatMap { try NIOSSLCertificate.fromPEMBytes(Array($0.utf8)) }
            } catch {
                throw KMIPClientError(.invalidConfiguration, "\(what) is not valid PEM")
            }
        }
        let roots = try certificates(configuration.trustRootsPEM, "trust roots")
        let chain = try certificates(configuration.certificateChainPEM, "client certificate chain")
        guard !roots.isEmpty else { throw KMIPClientError(.invalidConfiguration, "no trust roots") }
        guard !chain.isEmpty else { throw KMIPClientError(.invalidConfiguration, "no client certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(configuration.privateKeyPEM.utf8), format: .pem)
        } catch {
            throw KMIPClientError(.invalidConfiguration, "client private key is not a valid PEM private key")
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.trustRoots = .certificates(roots)
        tls.certificateChain = chain.map { .certificate($0) }
        tls.privateKey = .privateKey(key)
        tls.certificateVerification = configuration.serverHostname == nil ? .noHostnameVerification : .fullVerification
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw KMIPClientError(.invalidConfiguration, "TLS configuration refused: \(error)")
        }
    }

    // MARK: Exchanges

    /// Sends one whole TTLV message and returns the one whole message that answers it.
    public func send(raw message: [UInt8]) async throws -> [UInt8] {
        let channel = self.channel
        let promise = channel.eventLoop.makePromise(of: [UInt8].self)
        let timeout = TimeAmount(self.configuration.timeout)
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(KMIPClientError(.timeout, "no response within \(timeout)"))
            // The stream can no longer be matched to callers.
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in
            promise.fail(KMIPClientError(.connectionClosed, "cannot send: \(error)"))
        }
        channel.writeAndFlush(PendingRequest(message: message, response: promise), promise: written)
        return try await promise.futureResult.get()
    }

    public func send(_ request: RequestMessage) async throws -> ResponseMessage {
        let raw = try await self.send(raw: request.encoded())
        do {
            return try ResponseMessage(ttlv: raw, limits: self.configuration.limits)
        } catch let error as TTLVError {
            throw KMIPError(error)
        }
    }

    /// One batch item in the configured version; throws `KMIPError(reason, message)` when the item failed.
    public func call<Response: KMIPStruct>(
        _ operation: Operation, _ payload: some KMIPStruct, as: Response.Type
    ) async throws -> Response {
        let items = try await self.batch([RequestBatchItem(operation: operation, payload: payload)])
        guard items.count == 1, let item = items.first else {
            throw KMIPError(.invalidMessage, "expected one response batch item, got \(items.count)")
        }
        guard item.resultStatus == .success else {
            throw KMIPError(item.resultReason ?? .generalFailure, item.resultMessage ?? "operation failed")
        }
        if Response.fields.isEmpty, item.responsePayload == nil {
            return Response()
        }
        guard let response = item.responsePayload as? Response else {
            throw KMIPError(.invalidMessage, "response payload is not a \(Response.self)")
        }
        return response
    }

    /// Several items in one message; returns the response batch items (not throwing on item failure).
    public func batch(_ items: [RequestBatchItem], header: RequestHeader? = nil) async throws -> [ResponseBatchItem] {
        var requestHeader = header ?? RequestHeader(protocolVersion: self.configuration.protocolVersion, batchCount: 0)
        requestHeader.batchCount = Int32(items.count)
        let response = try await self.send(RequestMessage(header: requestHeader, batchItems: items))
        return response.batchItems
    }

    /// Closes the connection (TLS close_notify, then TCP); pending exchanges fail.
    public func close() async {
        try? await self.channel.close()
    }

    /// True until the connection is closed by either side.
    public var isActive: Bool { self.channel.isActive }
}

struct PendingRequest: Sendable {
    let message: [UInt8]
    let response: EventLoopPromise<[UInt8]>
}

/// Matches responses to requests in order.
final class KMIPClientHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = [UInt8]
    typealias OutboundIn = PendingRequest
    typealias OutboundOut = ByteBuffer

    let handshake: EventLoopPromise<Void>
    private var waiting = CircularBuffer<EventLoopPromise<[UInt8]>>()
    private var failure: (any Error)?

    init(handshake: EventLoopPromise<Void>) {
        self.handshake = handshake
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = Self.unwrapOutboundIn(data)
        if let failure = self.failure {
            request.response.fail(failure)
            promise?.fail(failure)
            return
        }
        self.waiting.append(request.response)
        var buffer = context.channel.allocator.buffer(capacity: request.message.count)
        buffer.writeBytes(request.message)
        context.write(Self.wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = Self.unwrapInboundIn(data)
        guard let waiter = self.waiting.popFirst() else {
            self.fail(KMIPClientError(.invalidResponse, "unsolicited message from the server"), context: context)
            return
        }
        waiter.succeed(message)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            self.handshake.succeed()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case NIOSSLError.uncleanShutdown = error {
            self.fail(KMIPClientError(.connectionClosed, "the server closed the connection"), context: context)
        } else if error is TTLVError {
            self.fail(KMIPClientError(.invalidResponse, "invalid response frame: \(error)"), context: context)
        } else {
            self.fail(error, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.failAll(self.failure ?? KMIPClientError(.connectionClosed, "the connection is closed"))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.failAll(self.failure ?? KMIPClientError(.connectionClosed, "the connection is closed"))
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        if self.failure == nil { self.failure = error }
        self.failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: any Error) {
        if self.failure == nil { self.failure = error }
        self.handshake.fail(error)
        while let waiter = self.waiting.popFirst() {
            waiter.fail(error)
        }
    }
}

/// The client's copy of the transport's frame decoder: 8-byte header, Structure type, length capped
/// by `limits.maxMessageBytes` before the body is buffered.
struct ClientFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = [UInt8]
    let limits: Limits
    private var pendingLength: Int?

    init(limits: Limits) { self.limits = limits }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let length: Int
        if let pendingLength {
            length = pendingLength
        } else {
            guard buffer.readableBytes >= 8 else { return .needMoreData }
            let limits = self.limits
            length = try buffer.withUnsafeReadableBytes { bytes in
                try TTLVReader.frameLength(header: UnsafeRawBufferPointer(rebasing: bytes[0..<8]), limits: limits)
            }
            self.pendingLength = length
        }
        guard buffer.readableBytes >= length, let frame = buffer.readBytes(length: length) else { return .needMoreData }
        self.pendingLength = nil
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        try self.decode(context: context, buffer: &buffer)
    }
}
