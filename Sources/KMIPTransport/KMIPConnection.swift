import KMIP
import KMIPEngine
import KMIPPKI
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOSSL

/// One accepted connection: its async channel (TLS, frame decoder and `ConnectionGate` in front)
/// and what its gate tells the connection's task.
struct AcceptedConnection: Sendable {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    /// Completes with the verified client when the TLS handshake ends; fails if it does not.
    let identity: EventLoopFuture<ClientIdentity>
    let id: UInt64

    private static let nextID = NIOLockedValueBox<UInt64>(0)
    /// A number unique in the process: what the processor ties per-connection state (open streams) to.
    static func makeID() -> UInt64 { nextID.withLockedValue { n -> UInt64 in n += 1; return n } }

    /// Sets up the pipeline of a just-accepted channel (on its event loop).
    static func wrap(_ channel: any Channel, sslContext: NIOSSLContext, limits: Limits,
                     environment: ConnectionEnvironment) throws -> AcceptedConnection {
        let id = makeID()
        let gate = ConnectionGate(environment: environment, connectionID: id, eventLoop: channel.eventLoop)
        let tls = NIOSSLServerHandler(context: sslContext) { certificates, promise in
            gate.verify(certificates, promise: promise)
        }
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(tls)
        switch environment.framing {
        case .ttlv:
            try pipeline.addHandler(ByteToMessageHandler(KMIPFrameDecoder(limits: limits)))
        case .https:
            try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(
                leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .drop, limitConfiguration: HTTPFraming.headerLimits)))
            try pipeline.addHandler(HTTPResponseEncoder())
            try pipeline.addHandler(HTTPServerProtocolErrorHandler())
            try pipeline.addHandler(HTTPFraming(limits: limits, requestTimeout: environment.httpRequestTimeout))
        }
        try pipeline.addHandler(gate)
        // The gate applies the pipelining limits; the stream's own watermarks only need to let them.
        let pipelined = environment.maxPipelinedRequests
        let async = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
            wrappingChannelSynchronously: channel,
            configuration: .init(backPressureStrategy: .init(lowWatermark: 1, highWatermark: pipelined + 1)))
        return AcceptedConnection(channel: async, identity: gate.identity, id: id)
    }

    /// The connection's whole life, in its own task: wait for the handshake, then answer each
    /// request in order, one at a time, until the client closes, the gate ends the stream
    /// (shutdown) or a frame is refused. The channel is closed when this returns.
    func serve(_ environment: ConnectionEnvironment) async {
        var logger = environment.logger
        if let remote = self.channel.channel.remoteAddress { logger[metadataKey: "peer"] = "\(remote)" }
        let processor = environment.processor
        defer { processor.connectionClosed(self.id) }
        do {
            try await self.channel.executeThenClose { inbound, outbound in
                let client = try await self.identity.get()
                do {
                    for try await request in inbound {
                        switch environment.framing {
                        case .ttlv:
                            try await outbound.write(await processor.process(message: request, client: client, connection: self.id))
                        case .https:
                            try await outbound.write(await self.answer(https: request, client: client, environment))
                        }
                    }
                } catch let error as TTLVError {
                    // The header was readable, so the client hears why before the connection closes.
                    logger.info("closing connection: refused frame: \(error)")
                    try await outbound.write(processor.refusal(error))
                }
            }
        } catch {
            Self.log(error, logger)
        }
    }

    /// One HTTPS request: its body, in its encoding, to TTLV; the engine's answer back into that
    /// encoding. A body that is no message gets the engine's KMIP refusal (HTTP 200, as every
    /// KMIP answer), and the connection stays open: its HTTP framing is intact.
    private func answer(https message: ByteBuffer, client: ClientIdentity, _ environment: ConnectionEnvironment) async -> ByteBuffer {
        let processor = environment.processor
        let (encoding, body) = HTTPMessage.unwrap(message)
        let response: ByteBuffer
        do {
            let request = encoding == .ttlv ? try Self.wholeMessage(body, limits: environment.limits)
                : ByteBuffer(bytes: try encoding.ttlv(fromBody: Array(body.readableBytesView), limits: environment.limits))
            response = await processor.process(message: request, client: client, connection: self.id)
        } catch let error as TTLVError {
            response = processor.refusal(error)
        } catch {
            response = processor.refusal(TTLVError(.encoding, "\(error)"))
        }
        guard encoding != .ttlv else { return response }
        do {
            return ByteBuffer(bytes: try encoding.body(fromTTLV: Array(response.readableBytesView), limits: MessageEncoding.responseLimits))
        } catch {
            environment.logger.error("a KMIP response could not be encoded as \(encoding.rawValue): \(error)")
            return ByteBuffer()
        }
    }

    /// A TTLV body, checked as the frame decoder checks the binary port's: one message whose header
    /// announces exactly the body's length, within the limits.
    static func wholeMessage(_ body: ByteBuffer, limits: Limits) throws -> ByteBuffer {
        guard body.readableBytes >= 8 else { throw TTLVError(.truncated, "the body is shorter than a TTLV header") }
        let length = try body.withUnsafeReadableBytes { bytes in
            try TTLVReader.frameLength(header: UnsafeRawBufferPointer(rebasing: bytes[0..<8]), limits: limits)
        }
        guard length == body.readableBytes else {
            throw TTLVError(length > body.readableBytes ? .truncated : .trailingBytes,
                            "the body holds \(body.readableBytes) bytes, its message \(length)")
        }
        return body
    }

    private static func log(_ error: any Error, _ logger: Logger) {
        switch error {
        case NIOSSLError.uncleanShutdown, ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed:
            logger.debug("connection closed: \(error)")
        case is NIOSSLError, is BoringSSLError:
            logger.info("closing connection: TLS error: \(error)")
        default:
            logger.debug("closing connection: \(error)")
        }
    }
}
