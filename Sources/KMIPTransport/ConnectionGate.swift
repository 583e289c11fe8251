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
    let budget: PendingBytesBudget
    let logger: Logger
    let handshakeTimeout: TimeAmount
    let idleTimeout: TimeAmount
    let maxPipelinedRequests: Int
    let maxPendingBytes: Int
    let maxConnectionsPerClient: Int
    /// TTLV frames or HTTPS requests (``Framing``); the message limits either way.
    var framing: Framing = .ttlv
    var limits: Limits = .default
    var httpRequestTimeout: TimeAmount = .seconds(10)
    /// Connection and handshake events (metrics); nil costs nothing.
    var metrics: TransportMetrics? = nil
}

/// The channel handler between the frame decoder and the connection's `NIOAsyncChannel`: what must
/// happen on the event loop, whatever the connection's task is doing.
///
/// - Handshake: the client chain is verified by `ClientAuthenticator.authenticate` from NIOSSL's
///   verification callback; the handshake must end within `handshakeTimeout`, and the client's
///   certificate may hold at most `maxConnectionsPerClient` connections. `identity` completes then.
/// - Back-pressure: requests passed on and not yet answered are counted (each response written is
///   one answer); reading stops past `maxPipelinedRequests` or `maxPendingBytes`, or while the
///   listener's `PendingBytesBudget` is spent and this connection already has a request in flight.
/// - Idle: nothing received and nothing unanswered for `idleTimeout` closes the connection, as
///   does a client that reads no answers (the channel unwritable) for `idleTimeout`.
/// - Graceful shutdown (`ChannelShouldQuiesceEvent`): reading stops and the inbound stream ends
///   after the requests already received, so the connection's task answers them and closes.
final class ConnectionGate: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        /// `verified`: the identity the verification callback accepted, before the handshake ends.
        case handshaking(verified: ClientIdentity?)
        case open(ClientIdentity)
        /// Shutting down: requests already received are answered, no more are read.
        case draining
        case closed
    }

    private let environment: ConnectionEnvironment
    let connectionID: UInt64
    private var logger: Logger
    private var phase = Phase.handshaking(verified: nil)
    private var context: ChannelHandlerContext?
    /// Sizes of the requests passed on and not yet answered, oldest first.
    private var unanswered = CircularBuffer<Int>(initialCapacity: 4)
    private var unansweredBytes = 0
    /// A `read()` was held back and is owed once there is room.
    private var readOwed = false
    /// Since when the channel has been unwritable (the client reads no answers), if it is.
    private var unwritableSince: NIODeadline?
    private var lastActivity = NIODeadline.now()
    /// The handshake deadline, then the idle check.
    private var timer: Scheduled<Void>?
    /// The metrics counted the opening and not yet the closing; counted how the handshake ended.
    private var reportedOpen = false
    private var reportedHandshake = false
    private let identityPromise: EventLoopPromise<ClientIdentity>

    /// The verified client once the handshake completed; fails if it never does.
    var identity: EventLoopFuture<ClientIdentity> { self.identityPromise.futureResult }

    init(environment: ConnectionEnvironment, connectionID: UInt64, eventLoop: any EventLoop) {
        self.environment = environment
        self.connectionID = connectionID
        self.logger = environment.logger
        self.identityPromise = eventLoop.makePromise()
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if let remote = context.channel.remoteAddress { self.logger[metadataKey: "peer"] = "\(remote)" }
        if let metrics = self.environment.metrics {
            self.reportedOpen = true
            metrics.connectionsActive.increment()
        }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleTask(in: self.environment.handshakeTimeout) {
            loopBound.value.handshakeTimedOut()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.ended()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.ended()
        context.fireChannelInactive()
    }

    /// Runs once, whichever of close or removal comes first.
    private func ended() {
        if case .closed = self.phase { return }
        if case .handshaking = self.phase { self.reportHandshakeFailure(.peerClosed) }
        self.phase = .closed
        self.timer?.cancel()
        self.timer = nil
        self.environment.budget.stopWaiting(self.connectionID)
        self.environment.budget.release(self.unansweredBytes)
        self.unansweredBytes = 0
        self.unanswered.removeAll()
        self.identityPromise.fail(ChannelError.ioOnClosedChannel)
        if self.reportedOpen {
            self.reportedOpen = false
            self.environment.metrics?.connectionsActive.decrement()
        }
    }

    private func close(_ reason: Logger.Message, level: Logger.Level = .debug) {
        guard let context = self.context else { return }
        if case .closed = self.phase { return }
        self.logger.log(level: level, "closing connection: \(reason)")
        context.close(promise: nil)
    }

    private func reportHandshakeFailure(_ reason: TLSHandshakeFailure) {
        guard !self.reportedHandshake else { return }
        self.reportedHandshake = true
        self.environment.metrics?.handshakeFailed[reason]?.increment()
    }

    // MARK: Handshake and client verification

    /// NIOSSL's custom verification callback (on the event loop): verifies the presented chain with the
    /// authenticator off the loop and completes `promise` back on it.
    func verify(_ certificates: [NIOSSLCertificate], promise: EventLoopPromise<NIOSSLVerificationResult>) {
        guard let context = self.context, let leaf = certificates.first, let leafDER = try? leaf.toDERBytes(),
              let chainDER = try? certificates.dropFirst().map({ try $0.toDERBytes() })
        else {
            self.logger.info("client refused: no readable client certificate")
            self.reportHandshakeFailure(.noCertificate)
            promise.succeed(.failed)
            return
        }
        let authenticator = self.environment.authenticator
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loop = context.eventLoop
        Task {
            let result: Result<ClientIdentity, any Error>
            do {
                result = .success(try await authenticator.authenticate(leafDER: leafDER, chainDER: chainDER))
            } catch {
                result = .failure(error)
            }
            loop.execute { loopBound.value.verified(result, promise: promise) }
        }
    }

    private func verified(_ result: Result<ClientIdentity, any Error>, promise: EventLoopPromise<NIOSSLVerificationResult>) {
        switch (result, self.phase) {
        case (.success(let identity), .handshaking):
            self.phase = .handshaking(verified: identity)
            promise.succeed(.certificateVerified)
        case (.success, _):
            promise.succeed(.failed)
        case (.failure(let error), _):
            self.logger.info("client refused: \(error)")
            self.reportHandshakeFailure(.certificateRejected)
            promise.succeed(.failed)
        }
    }

    private func handshakeTimedOut() {
        self.timer = nil
        guard case .handshaking = self.phase else { return }
        self.reportHandshakeFailure(.timeout)
        self.close("TLS handshake not completed within the connection timeout", level: .info)
    }

    private func handshakeCompleted(context: ChannelHandlerContext) {
        guard case .handshaking(let verified) = self.phase else { return }
        self.timer?.cancel()
        self.timer = nil
        guard let identity = verified else {
            // Cannot happen with the verification callback in place; refuse rather than trust.
            self.close("handshake completed without a verified client identity", level: .warning)
            return
        }
        if !self.reportedHandshake, let metrics = self.environment.metrics {
            self.reportedHandshake = true
            metrics.handshakeSucceeded.increment()
        }
        self.logger[metadataKey: "scope"] = "\(identity.scopeID)"
        self.logger[metadataKey: "role"] = "\(identity.roleID)"
        self.logger[metadataKey: "serial"] = "\(identity.serialNumber)"
        let limit = self.environment.maxConnectionsPerClient
        guard self.environment.registry.setIdentity(identity, for: context.channel, limit: limit) else {
            self.close("this client already holds \(limit) connections (limit per client)", level: .warning)
            return
        }
        self.logger.debug("client authenticated")
        self.phase = .open(identity)
        self.lastActivity = .now()
        self.scheduleIdleCheck(at: self.lastActivity + self.environment.idleTimeout)
        self.identityPromise.succeed(identity)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case TLSUserEvent.handshakeCompleted:
            self.handshakeCompleted(context: context)
        case is ChannelShouldQuiesceEvent:
            self.quiesce(context: context)
            return
        default:
            break
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func quiesce(context: ChannelHandlerContext) {
        switch self.phase {
        case .handshaking:
            self.close("shutting down during the handshake")
        case .open:
            self.phase = .draining
            self.timer?.cancel()
            self.timer = nil
            // Ends the inbound stream after what it holds: the task answers that, then closes.
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        case .draining, .closed:
            break
        }
    }

    // MARK: Requests and answers

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .open = self.phase else { return }  // draining: received after shutdown began
        let size = Self.unwrapInboundIn(data).readableBytes
        // Reading stops at the limits, but one read (and NIO's drain after the client's FIN) can
        // bring more: past twice the byte limit the client sends regardless of answers, and goes.
        if self.unansweredBytes + size > 2 * self.environment.maxPendingBytes {
            self.close("the client sent more than twice maxPendingBytes of unanswered requests", level: .notice)
            return
        }
        self.unanswered.append(size)
        self.unansweredBytes += size
        self.environment.budget.add(size)
        self.lastActivity = .now()
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if let size = self.unanswered.popFirst() {
            self.unansweredBytes -= size
            self.environment.budget.release(size)
        }
        self.lastActivity = .now()
        context.write(data, promise: promise)
        self.payReadIfRoom(context: context)
    }

    func read(context: ChannelHandlerContext) {
        switch self.phase {
        case .draining, .closed:
            self.readOwed = true
        case .handshaking:
            context.read()
        case .open:
            if self.hasRoom(context: context) { context.read() } else { self.readOwed = true }
        }
    }

    private func hasRoom(context: ChannelHandlerContext) -> Bool {
        if self.unanswered.count >= self.environment.maxPipelinedRequests { return false }
        if self.unansweredBytes >= self.environment.maxPendingBytes { return false }
        // One request in flight is always allowed; more only while the listener has room (checked
        // first without registering, so the common case allocates no wake-up closure).
        guard !self.unanswered.isEmpty, self.environment.budget.isExhausted else { return true }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loop = context.eventLoop
        return !self.environment.budget.waitForRoom(self.connectionID) {
            loop.execute { loopBound.value.budgetFreed() }
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        self.unwritableSince = context.channel.isWritable ? nil : (self.unwritableSince ?? .now())
        context.fireChannelWritabilityChanged()
    }

    private func budgetFreed() {
        guard let context = self.context else { return }
        self.payReadIfRoom(context: context)
    }

    private func payReadIfRoom(context: ChannelHandlerContext) {
        guard self.readOwed, case .open = self.phase, self.hasRoom(context: context) else { return }
        self.readOwed = false
        context.read()
    }

    // MARK: Idle timeout

    private func scheduleIdleCheck(at deadline: NIODeadline) {
        guard let context = self.context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleTask(deadline: deadline) { loopBound.value.idleCheck() }
    }

    private func idleCheck() {
        self.timer = nil
        guard case .open = self.phase else { return }
        let now = NIODeadline.now()
        if let since = self.unwritableSince, now - since >= self.environment.idleTimeout {
            // Answers wait for a client that reads none: it would hold its requests (and their
            // share of the listener's budget) for ever.
            self.close("the client has read no answer for the idle timeout", level: .info)
        } else if !self.unanswered.isEmpty {
            self.scheduleIdleCheck(at: now + self.environment.idleTimeout)
        } else if now - self.lastActivity >= self.environment.idleTimeout {
            self.close("idle timeout")
        } else {
            self.scheduleIdleCheck(at: self.lastActivity + self.environment.idleTimeout)
        }
    }

    // MARK: Errors

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .handshaking = self.phase {
            switch error {
            case NIOSSLError.uncleanShutdown: self.reportHandshakeFailure(.peerClosed)
            case is NIOSSLError, is BoringSSLError: self.reportHandshakeFailure(.tlsError)
            default: break
            }
            self.identityPromise.fail(error)
        }
        // The connection's task hears it from the inbound stream (a refused frame is answered there).
        context.fireErrorCaught(error)
    }
}
