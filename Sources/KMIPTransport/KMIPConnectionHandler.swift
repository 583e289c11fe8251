import Foundation
import KMIP
import KMIPEngine
import KMIPPKI
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import NIOTLS

/// What every connection of one listener shares.
struct ConnectionEnvironment: Sendable {
    let processor: any KMIPRequestProcessor
    let authenticator: any ClientAuthenticator
    let registry: ConnectionRegistry
    let logger: Logger
    let handshakeTimeout: TimeAmount
    let idleTimeout: TimeAmount
    let maxPipelinedRequests: Int
    let maxPendingBytes: Int
    let maxConnectionsPerClient: Int
    /// Run each request's Task with the connection's event loop as its preferred executor.
    let processOnEventLoop: Bool
    /// Connection and handshake events (metrics); nil costs nothing.
    var observer: (any TransportObserver)? = nil
}

/// The per-connection state machine, last in the pipeline after TLS and the frame decoder.
///
/// - Handshake: the client chain is verified by `ClientAuthenticator.authenticate` from NIOSSL's custom
///   verification callback; the handshake (verification included) must end within `handshakeTimeout`.
/// - Requests are processed one at a time, in order; pipelined requests queue (reading pauses when
///   `maxPipelinedRequests` are waiting). Each request runs in a Task and its response is written back
///   on the event loop.
/// - Idle: no complete request and nothing in flight for `idleTimeout` closes the connection.
/// - `ChannelShouldQuiesceEvent` (graceful shutdown): stop reading, answer what was received, close.
final class KMIPConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = [UInt8]
    typealias InboundOut = Never
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let environment: ConnectionEnvironment
    private var logger: Logger

    private var context: ChannelHandlerContext?
    private var identity: ClientIdentity?
    private var handshakeCompleted = false
    private var handshakeTimer: Scheduled<Void>?
    private var idleTimer: Scheduled<Void>?
    private var lastActivity = NIODeadline.now()
    private var pending = CircularBuffer<[UInt8]>(initialCapacity: 4)
    /// Bytes of the requests in `pending`: reading pauses past `maxPendingBytes` as well as past
    /// `maxPipelinedRequests`, so a client cannot park 64 maximum-size messages per connection.
    private var pendingBytes = 0
    private var processing = false
    private var quiescing = false
    private var heldRead = false
    private var closed = false
    private var taskExecutor: EventLoopTaskExecutor?
    /// The observer heard of this connection's opening and not yet of its closing.
    private var reportedOpen = false
    /// The observer heard how the handshake ended.
    private var reportedHandshake = false

    /// This connection's number, unique in the process: what the processor ties per-connection
    /// state (open streams) to.
    private let connectionID = KMIPConnectionHandler.nextConnectionID.withLockedValue { n -> UInt64 in n += 1; return n }
    private static let nextConnectionID = NIOLockedValueBox<UInt64>(0)

    init(environment: ConnectionEnvironment) {
        self.environment = environment
        self.logger = environment.logger
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if self.environment.processOnEventLoop {
            self.taskExecutor = EventLoopTaskExecutor(context.eventLoop)
        }
        if let remote = context.channel.remoteAddress {
            self.logger[metadataKey: "peer"] = "\(remote)"
        }
        if let observer = self.environment.observer {
            self.reportedOpen = true
            observer.connectionOpened(id: self.connectionID)
        }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.handshakeTimer = context.eventLoop.scheduleTask(in: self.environment.handshakeTimeout) {
            loopBound.value.handshakeTimedOut()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.reportClosed()
        self.cancelTimers()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.closed = true
        self.cancelTimers()
        self.environment.processor.connectionClosed(self.connectionID)
        self.reportClosed()
        context.fireChannelInactive()
    }

    private func reportClosed() {
        guard self.reportedOpen else { return }
        self.reportedOpen = false
        if !self.handshakeCompleted { self.reportHandshakeFailure(.peerClosed) }
        self.environment.observer?.connectionClosed(id: self.connectionID)
    }

    private func reportHandshakeFailure(_ reason: TLSHandshakeFailure) {
        guard !self.reportedHandshake, !self.handshakeCompleted, let observer = self.environment.observer else { return }
        self.reportedHandshake = true
        observer.handshakeFailed(id: self.connectionID, reason: reason)
    }

    private func cancelTimers() {
        self.handshakeTimer?.cancel()
        self.handshakeTimer = nil
        self.idleTimer?.cancel()
        self.idleTimer = nil
    }

    private func close(_ reason: Logger.Message, level: Logger.Level = .debug) {
        guard !self.closed, let context = self.context else { return }
        self.closed = true
        self.logger.log(level: level, "closing connection: \(reason)")
        self.cancelTimers()
        context.close(promise: nil)
    }

    // MARK: Handshake and client verification

    /// NIOSSL's custom verification callback (on the event loop): verifies the presented chain with the
    /// authenticator off the loop and completes `promise` back on it.
    func verify(_ certificates: [NIOSSLCertificate], promise: EventLoopPromise<NIOSSLVerificationResult>) {
        guard let context = self.context, let leaf = certificates.first, let leafDER = try? leaf.toDERBytes() else {
            self.logger.info("client refused: no client certificate")
            self.reportHandshakeFailure(.noCertificate)
            promise.succeed(.failed)
            return
        }
        var chainDER: [[UInt8]] = []
        chainDER.reserveCapacity(certificates.count - 1)
        for certificate in certificates.dropFirst() {
            guard let der = try? certificate.toDERBytes() else {
                self.logger.info("client refused: unreadable certificate in the presented chain")
                self.reportHandshakeFailure(.noCertificate)
                promise.succeed(.failed)
                return
            }
            chainDER.append(der)
        }
        let authenticator = self.environment.authenticator
        let loop = context.eventLoop
        let loopBound = NIOLoopBound(self, eventLoop: loop)
        Task {
            let result: Result<ClientIdentity, any Error>
            do {
                result = .success(try await authenticator.authenticate(leafDER: leafDER, chainDER: chainDER))
            } catch {
                result = .failure(error)
            }
            loop.execute {
                let handler = loopBound.value
                switch result {
                case .success(let identity):
                    handler.identity = identity
                    promise.succeed(.certificateVerified)
                case .failure(let error):
                    handler.logger.info("client refused: \(error)")
                    handler.reportHandshakeFailure(.certificateRejected)
                    promise.succeed(.failed)
                }
            }
        }
    }

    private func handshakeTimedOut() {
        self.handshakeTimer = nil
        guard !self.handshakeCompleted else { return }
        self.reportHandshakeFailure(.timeout)
        self.close("TLS handshake not completed within the connection timeout", level: .info)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            self.handshakeTimer?.cancel()
            self.handshakeTimer = nil
            guard let identity = self.identity else {
                // Cannot happen with the verification callback in place; refuse rather than trust.
                self.close("handshake completed without a verified client identity", level: .warning)
                return
            }
            self.handshakeCompleted = true
            if let observer = self.environment.observer, !self.reportedHandshake {
                self.reportedHandshake = true
                observer.handshakeSucceeded(id: self.connectionID, client: identity)
            }
            self.logger[metadataKey: "scope"] = "\(identity.scopeID)"
            self.logger[metadataKey: "role"] = "\(identity.roleID)"
            self.logger[metadataKey: "serial"] = "\(identity.serialNumber)"
            self.logger.debug("client authenticated")
            guard self.environment.registry.setIdentity(identity, for: context.channel,
                                                        limit: self.environment.maxConnectionsPerClient) else {
                self.close("this client already holds \(self.environment.maxConnectionsPerClient) connections (limit per client)",
                           level: .warning)
                return
            }
            if self.quiescing {
                self.close("shutting down")
                return
            }
            self.lastActivity = .now()
            self.scheduleIdleCheck(at: self.lastActivity + self.environment.idleTimeout)
            return
        }
        if event is ChannelShouldQuiesceEvent {
            self.quiesce()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = Self.unwrapInboundIn(data)
        guard self.handshakeCompleted, !self.closed else { return }
        self.lastActivity = .now()
        self.pending.append(message)
        self.pendingBytes += message.count
        if !self.processing {
            self.processNext()
        }
    }

    private func processNext() {
        guard !self.closed, let context = self.context, let identity = self.identity else { return }
        guard let message = self.pending.popFirst() else {
            self.processing = false
            if self.quiescing {
                self.close("shutting down; all requests answered")
            }
            return
        }
        self.pendingBytes -= message.count
        self.processing = true
        self.resumeReadingIfHeld(context: context)
        let processor = self.environment.processor
        let connectionID = self.connectionID
        let loop = context.eventLoop
        let loopBound = NIOLoopBound(self, eventLoop: loop)
        let operation: @Sendable () async -> Void = {
            let response = await processor.process(message: message, client: identity, connection: connectionID)
            if loop.inEventLoop {
                loopBound.value.answer(response)
            } else {
                loop.execute { loopBound.value.answer(response) }
            }
        }
        if let executor = self.taskExecutor {
            Task(executorPreference: executor, operation: operation)
        } else {
            Task(operation: operation)
        }
    }

    private func answer(_ response: [UInt8]) {
        guard !self.closed, let context = self.context else { return }
        var buffer = context.channel.allocator.buffer(capacity: response.count)
        buffer.writeBytes(response)
        context.writeAndFlush(Self.wrapOutboundOut(buffer), promise: nil)
        self.lastActivity = .now()
        self.processNext()
    }

    // MARK: Back-pressure and quiescing

    func read(context: ChannelHandlerContext) {
        if self.quiescing || self.isBackedUp {
            self.heldRead = true
        } else {
            context.read()
        }
    }

    private var isBackedUp: Bool {
        self.pending.count >= self.environment.maxPipelinedRequests || self.pendingBytes >= self.environment.maxPendingBytes
    }

    private func resumeReadingIfHeld(context: ChannelHandlerContext) {
        if self.heldRead, !self.quiescing, !self.isBackedUp {
            self.heldRead = false
            context.read()
        }
    }

    private func quiesce() {
        guard !self.quiescing else { return }
        self.quiescing = true
        if !self.handshakeCompleted {
            self.close("shutting down during the handshake")
        } else if !self.processing && self.pending.isEmpty {
            self.close("shutting down")
        }
    }

    // MARK: Idle timeout

    private func scheduleIdleCheck(at deadline: NIODeadline) {
        guard let context = self.context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.idleTimer = context.eventLoop.scheduleTask(deadline: deadline) {
            loopBound.value.idleCheck()
        }
    }

    private func idleCheck() {
        self.idleTimer = nil
        guard !self.closed else { return }
        let now = NIODeadline.now()
        if self.processing || !self.pending.isEmpty {
            self.scheduleIdleCheck(at: now + self.environment.idleTimeout)
        } else if now - self.lastActivity >= self.environment.idleTimeout {
            self.close("idle timeout")
        } else {
            self.scheduleIdleCheck(at: self.lastActivity + self.environment.idleTimeout)
        }
    }

    // MARK: Errors

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case let error as TTLVError:
            // The header was readable, so the client hears why before the connection closes.
            if self.handshakeCompleted, !self.closed {
                var buffer = context.channel.allocator.buffer(capacity: 256)
                buffer.writeBytes(Self.refusedFrameResponse(error))
                context.writeAndFlush(Self.wrapOutboundOut(buffer), promise: nil)
            }
            self.close("refused frame: \(error)", level: .info)
        case NIOSSLError.uncleanShutdown:
            self.reportHandshakeFailure(.peerClosed)
            self.close("peer closed without TLS close_notify")
        case let error as NIOSSLError:
            self.reportHandshakeFailure(.tlsError)
            self.close("TLS error: \(error)", level: self.handshakeCompleted ? .debug : .info)
        case let error as BoringSSLError:
            self.reportHandshakeFailure(.tlsError)
            self.close("TLS error: \(error)", level: self.handshakeCompleted ? .debug : .info)
        default:
            self.close("connection error: \(error)")
        }
    }
}

extension KMIPConnectionHandler {
    /// A KMIP 1.0 response (the version every client reads) with one failed item, for a message
    /// refused from its header alone.
    static func refusedFrameResponse(_ error: TTLVError) -> [UInt8] {
        var header = ResponseHeader()
        header.protocolVersion = .v1_0
        header.timeStamp = DateTime(secondsSince1970: Int64(Date().timeIntervalSince1970))
        header.batchCount = 1
        let item = ResponseBatchItem(operation: nil, error: KMIPError(.invalidMessage, error.description))
        return ResponseMessage(header: header, batchItems: [item]).encoded()
    }
}

/// Runs tasks on a NIO event loop, so that a request's async work stays on its connection's thread
/// unless it explicitly moves elsewhere (an actor with its own executor, a thread pool…).
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let unownedJob = UnownedJob(job)
        self.loop.execute {
            unownedJob.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
