import KMIP
import KMIPEngine
import KMIPPKI
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// The KMIP mutual-TLS listener (a ServiceLifecycle `Service`).
///
/// Every accepted connection gets TLS (client certificate required and verified by the
/// `ClientAuthenticator` during the handshake), a frame decoder that checks each 8-byte TTLV header
/// against `limits.maxMessageBytes` before buffering a body, a `ConnectionGate` (handshake, limits,
/// idle, shutdown) and an `NIOAsyncChannel` whose task hands whole messages to the
/// `KMIPRequestProcessor`, one at a time per connection, answering in order. One task runs the
/// listener: a child accepts on each address, and each connection is a child of it.
public final class KMIPListener: Service, Sendable {
    private enum Phase {
        case idle
        case starting(EventLoopFuture<[SocketAddress]>)
        case running
        case stopping
        case stopped
    }

    private struct State {
        var phase: Phase = .idle
        var serverChannels: [any Channel] = []
        var boundAddresses: [SocketAddress] = []
        var revalidation: Task<Void, Never>?
        /// Accepts on every bound address and runs one child task per connection; ends when the
        /// server channels are closed and every connection's task has returned.
        var connections: Task<Void, Never>?
    }

    private let configuration: TransportConfiguration
    private let processor: any KMIPRequestProcessor
    private let authenticator: any ClientAuthenticator
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let registry = ConnectionRegistry()
    private let budget: PendingBytesBudget
    private let state = NIOLockedValueBox(State())
    private let stopped: EventLoopPromise<Void>
    private let metrics: TransportMetrics

    public init(
        configuration: TransportConfiguration,
        processor: any KMIPRequestProcessor,
        authenticator: any ClientAuthenticator,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        self.metrics = TransportMetrics(factory: metrics)
        self.configuration = configuration
        self.processor = processor
        self.authenticator = authenticator
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        self.stopped = eventLoopGroup.any().makePromise(of: Void.self)
        self.budget = PendingBytesBudget(limit: configuration.maxPipelinedBytes)
    }

    deinit {
        // A listener dropped without shutdown() (e.g. start() failed) must not leak its promise.
        self.stopped.succeed()
    }

    /// The addresses bound by `start()` (empty before).
    public var boundAddresses: [SocketAddress] { self.state.withLockedValue { $0.boundAddresses } }

    /// Connections currently open (handshaking ones included).
    public var activeConnections: Int { self.registry.count }

    /// Bytes of received, unanswered requests across every connection (see `maxPipelinedBytes`).
    public var pipelinedBytes: Int { self.budget.held }

    // MARK: Start

    /// Binds every configured address and starts accepting; returns the bound addresses. Calling it
    /// again returns the same addresses.
    @discardableResult
    public func start() async throws -> [SocketAddress] {
        enum Action {
            case bind(EventLoopPromise<[SocketAddress]>)
            case wait(EventLoopFuture<[SocketAddress]>)
            case done([SocketAddress])
            case fail
        }
        let action: Action = self.state.withLockedValue { state in
            switch state.phase {
            case .idle:
                let promise = self.eventLoopGroup.any().makePromise(of: [SocketAddress].self)
                state.phase = .starting(promise.futureResult)
                return .bind(promise)
            case .starting(let future):
                return .wait(future)
            case .running:
                return .done(state.boundAddresses)
            case .stopping, .stopped:
                return .fail
            }
        }
        switch action {
        case .done(let addresses):
            return addresses
        case .wait(let future):
            return try await future.get()
        case .fail:
            throw TransportError(.shutDown, "the KMIP listener was shut down")
        case .bind(let promise):
            do {
                let (servers, addresses) = try await self.bindAll()
                let stillStarting = self.state.withLockedValue { state -> Bool in
                    guard case .starting = state.phase else { return false }
                    state.phase = .running
                    state.serverChannels = servers.map(\.channel)
                    state.boundAddresses = addresses
                    state.revalidation = self.startRevalidation()
                    state.connections = self.serveConnections(servers)
                    return true
                }
                guard stillStarting else {
                    for server in servers { try? await server.channel.close() }
                    throw TransportError(.shutDown, "the KMIP listener was shut down while starting")
                }
                self.logger.info(
                    "KMIP listener started",
                    metadata: [
                        "addresses": .array(addresses.map { .string("\($0)") }),
                        "tls_min": .string(self.configuration.tlsMinimumVersion.rawValue),
                    ])
                promise.succeed(addresses)
                return addresses
            } catch {
                self.state.withLockedValue { state in
                    if case .starting = state.phase { state.phase = .idle }
                }
                promise.fail(error)
                throw error
            }
        }
    }

    private typealias Server = NIOAsyncChannel<AcceptedConnection, Never>

    private func bindAll() async throws -> ([Server], [SocketAddress]) {
        let sslContext = try ServerTLS.makeContext(self.configuration)
        let addresses = try self.configuration.listenAddresses.map(ListenAddress.parse)
        let bootstrap = self.makeBootstrap()
        let initializer = self.childInitializer(sslContext: sslContext)
        var servers: [Server] = []
        var bound: [SocketAddress] = []
        do {
            for (host, port) in addresses {
                let server = try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
                servers.append(server)
                if let address = server.channel.localAddress { bound.append(address) }
            }
        } catch {
            for server in servers { try? await server.channel.close() }
            throw error
        }
        return (servers, bound)
    }

    private var environment: ConnectionEnvironment {
        ConnectionEnvironment(
            processor: self.processor,
            authenticator: self.authenticator,
            registry: self.registry,
            budget: self.budget,
            logger: self.logger,
            handshakeTimeout: TimeAmount(self.configuration.connectionTimeout),
            idleTimeout: TimeAmount(self.configuration.idleTimeout),
            maxPipelinedRequests: max(1, self.configuration.maxPipelinedRequests),
            maxPendingBytes: max(self.configuration.limits.maxMessageBytes, self.configuration.maxPendingBytes),
            maxConnectionsPerClient: max(1, self.configuration.maxConnectionsPerClient),
            framing: self.configuration.framing,
            limits: self.configuration.limits,
            httpRequestTimeout: TimeAmount(self.configuration.httpRequestTimeout),
            metrics: self.metrics)
    }

    private func makeBootstrap() -> ServerBootstrap {
        ServerBootstrap(group: self.eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
    }

    /// Counts the connection against `maxConnections` (refusing it when full), then builds its pipeline.
    private func childInitializer(sslContext: NIOSSLContext) -> @Sendable (any Channel) -> EventLoopFuture<AcceptedConnection> {
        let environment = self.environment
        let limits = self.configuration.limits
        let maxConnections = self.configuration.maxConnections
        let registry = self.registry
        let logger = self.logger
        let metrics = self.metrics
        return { channel in
            guard registry.tryAdd(channel, limit: maxConnections) else {
                metrics.connectionsRejected.increment()
                logger.notice(
                    "refusing connection: listener is at maxConnections or shutting down",
                    metadata: ["peer": "\(channel.remoteAddress.map { "\($0)" } ?? "?")", "max": "\(maxConnections)"])
                // The async bootstrap does not close a channel whose initializer failed: close it here.
                channel.close(promise: nil)
                return channel.eventLoop.makeFailedFuture(
                    TransportError(.tooManyConnections, "connection limit of \(maxConnections) reached"))
            }
            channel.closeFuture.whenComplete { _ in registry.remove(channel) }
            do {
                let accepted = try AcceptedConnection.wrap(channel, sslContext: sslContext, limits: limits, environment: environment)
                return channel.eventLoop.makeSucceededFuture(accepted)
            } catch {
                logger.warning("closing connection: its pipeline could not be set up: \(error)")
                channel.close(promise: nil)
                return channel.eventLoop.makeFailedFuture(error)
            }
        }
    }

    /// One task for the listener: a child per bound address accepting, and a child per connection.
    private func serveConnections(_ servers: [Server]) -> Task<Void, Never> {
        let environment = self.environment
        let logger = self.logger
        return Task {
            await withDiscardingTaskGroup { group in
                for server in servers {
                    group.addTask {
                        await withDiscardingTaskGroup { connections in
                            do {
                                try await server.executeThenClose { accepted in
                                    for try await connection in accepted {
                                        connections.addTask { await connection.serve(environment) }
                                    }
                                }
                            } catch {
                                logger.debug("KMIP listener stopped accepting: \(error)")
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: Revalidation

    private func startRevalidation() -> Task<Void, Never> {
        let interval = self.configuration.revalidationInterval
        let registry = self.registry
        let authenticator = self.authenticator
        let logger = self.logger
        return Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                await Self.revalidate(registry: registry, authenticator: authenticator, logger: logger)
            }
        }
    }

    /// Closes every open connection whose identity `isValid` now refuses.
    private static func revalidate(registry: ConnectionRegistry, authenticator: any ClientAuthenticator, logger: Logger)
        async
    {
        var byIdentity: [ClientIdentity: [any Channel]] = [:]
        for entry in registry.snapshot() {
            guard let identity = entry.identity else { continue }
            byIdentity[identity, default: []].append(entry.channel)
        }
        for (identity, channels) in byIdentity {
            if Task.isCancelled { return }
            guard await !authenticator.isValid(identity) else { continue }
            logger.notice(
                "closing connections of a credential that is no longer valid",
                metadata: [
                    "scope": "\(identity.scopeID)", "role": "\(identity.roleID)",
                    "serial": "\(identity.serialNumber)", "connections": "\(channels.count)",
                ])
            for channel in channels { channel.close(promise: nil) }
        }
    }

    // MARK: Run and shutdown

    /// Starts (if needed), then serves until graceful shutdown, cancellation or `shutdown()`.
    public func run() async throws {
        let alreadyStopped = self.state.withLockedValue { state -> Bool in
            switch state.phase {
            case .stopping, .stopped: return true
            case .idle, .starting, .running: return false
            }
        }
        if alreadyStopped {
            try? await self.stopped.futureResult.get()
            return
        }
        _ = try await self.start()
        let stopped = self.stopped.futureResult
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                try? await stopped.get()
            } onGracefulShutdown: {
                Task { await self.shutdown() }
            }
        } onCancel: {
            Task { await self.shutdown() }
        }
        await self.shutdown()
    }

    /// Stops accepting, lets every request already received be answered (waiting at most
    /// `shutdownGracePeriod`), then closes every connection. Safe to call more than once.
    public func shutdown() async {
        typealias Running = (channels: [any Channel], revalidation: Task<Void, Never>?, connections: Task<Void, Never>?)
        let action: Running? = self.state.withLockedValue { state in
            switch state.phase {
            case .stopping, .stopped:
                return nil
            case .idle, .starting, .running:
                state.phase = .stopping
                let result = (state.serverChannels, state.revalidation, state.connections)
                state.serverChannels = []
                state.revalidation = nil
                state.connections = nil
                return result
            }
        }
        guard let action else {
            try? await self.stopped.futureResult.get()
            return
        }
        action.revalidation?.cancel()
        for channel in action.channels { try? await channel.close() }
        let connections = self.registry.stopAccepting()
        self.logger.info("KMIP listener shutting down", metadata: ["connections": "\(connections.count)"])
        for entry in connections {
            entry.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        if !connections.isEmpty {
            let loop = self.eventLoopGroup.any()
            let drained = loop.makePromise(of: Void.self)
            EventLoopFuture.andAllComplete(connections.map { $0.channel.closeFuture }, on: loop).cascade(to: drained)
            let timer = loop.scheduleTask(in: TimeAmount(self.configuration.shutdownGracePeriod)) {
                drained.succeed()
            }
            try? await drained.futureResult.get()
            timer.cancel()
            let remaining = self.registry.snapshot()
            if !remaining.isEmpty {
                self.logger.warning(
                    "closing connections still busy after the shutdown grace period",
                    metadata: ["connections": "\(remaining.count)"])
                for entry in remaining { try? await entry.channel.close() }
            }
        }
        // Every connection's task has returned (its channel is closed) once this ends.
        await action.connections?.value
        self.state.withLockedValue { $0.phase = .stopped }
        self.logger.info("KMIP listener stopped")
        self.stopped.succeed()
    }
}
