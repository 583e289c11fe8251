import Foundation
import KMIP
import KMIPEngine
import KMIPPKI
import KMIPStore
import KMIPTransport
import Logging
import ServiceLifecycle

/// The composition root: builds the stores, the mount, the KMIP engine and the listener, and runs
/// them as one ServiceGroup. Dev mode (`strongroom server -dev`) is the only mode for now; a
/// production `-config FILE` mode will build a ``ServerComponents`` from its file and reuse
/// ``makeKMIPListener(mount:engine:logger:)`` and ``run(_:logger:handlesSignals:)``.
public enum StrongroomServer {
    /// Names and roles of what dev mode provisions.
    public static let devScope = "default"
    public static let devRole = "admin"

    /// Sets up dev mode in `options.dataDirectory` and starts the KMIP listener; returns once it is
    /// bound. Call ``RunningServer/shutdown()`` (or send SIGTERM/SIGINT when `handlesSignals`) to stop.
    public static func startDev(_ options: DevOptions, logger: Logger = Logger(label: "strongroom")) async throws -> RunningServer {
        let dev = try await DevEnvironment.prepare(options, logger: logger)
        do {
            let components = ServerComponents(objects: dev.store, mountStore: dev.mountStore, logger: logger)
            let listener = try await makeKMIPListener(mount: components.mount, engine: components.engine, logger: logger)
            let addresses = try await listener.start()
            let bound = addresses.map { address -> String in
                let host = address.ipAddress ?? "?"
                let port = address.port.map(String.init) ?? "?"
                return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            }
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [.init(service: listener)],
                gracefulShutdownSignals: options.handlesSignals ? [.sigterm, .sigint] : [],
                logger: logger))
            let store = dev.store
            let task = Task {
                defer { try? store.close() }
                try await group.run()
            }
            return RunningServer(kmipAddresses: bound, apiAddress: options.apiListenAddress, paths: dev.paths,
                                 rootToken: dev.rootToken, mount: components.mount, group: group, task: task)
        } catch {
            try? dev.store.close()
            throw error
        }
    }

    /// The KMIP listener for the mount's current config: its `listen_addrs`, `tls_min_version` and
    /// `connection_timeout`, the listener certificate from `server_hostnames`/`server_ips`, and the
    /// mount's CA as client trust roots. Client certificates are checked by the mount.
    public static func makeKMIPListener(mount: KMIPMount, engine: any KMIPRequestProcessor, logger: Logger) async throws -> KMIPListener {
        let configuration = try await transportConfiguration(mount: mount)
        return KMIPListener(configuration: configuration, processor: engine, authenticator: mount, logger: logger)
    }

    /// ``MountConfig`` → ``TransportConfiguration``.
    public static func transportConfiguration(mount: KMIPMount) async throws -> TransportConfiguration {
        guard let config = try await mount.config() else {
            throw MountError(.notConfigured, "the KMIP engine has not been configured: write kmip/config first")
        }
        let ca = try await mount.ca()
        let server = try await mount.serverCredential()
        var transport = TransportConfiguration(
            listenAddresses: config.listenAddrs,
            serverCertificateChainPEM: [server.certificatePEM, ca.intermediatePEM],
            serverPrivateKeyPEM: server.privateKeyPEM,
            clientTrustRootsPEM: [ca.rootPEM, ca.intermediatePEM])
        transport.tlsMinimumVersion = TLSMinimumVersion(rawValue: config.tlsMinVersion.rawValue) ?? .tls12
        transport.connectionTimeout = .seconds(config.connectionTimeout)
        return transport
    }

    /// Logs to standard error at `level` (once per process; later calls do nothing).
    public static func bootstrapLogging(level: Logger.Level = .info) {
        LoggingBootstrap.once(level: level)
    }

    /// As ``bootstrapLogging(level:)`` from a level name: trace, debug, info, notice, warning, error, critical.
    public static func bootstrapLogging(levelName: String) throws {
        guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
            throw MountError.invalid("unknown log level \"\(levelName)\"; use trace, debug, info, notice, warning, error or critical")
        }
        bootstrapLogging(level: level)
    }
}

/// The long-lived parts of a server, whatever its mode.
public struct ServerComponents: Sendable {
    public let mount: KMIPMount
    public let engine: KMIPEngine

    public init(objects: any ObjectStore, mountStore: any MountStore, logger: Logger) {
        self.mount = KMIPMount(store: mountStore)
        let engine = KMIPEngine(objects: objects, mount: mountStore, logger: logger)
        self.engine = engine
        // A revocation or role change made here reaches open connections on their next request.
        mount.onAuthorizationChange { engine.invalidateAuthorizations() }
    }
}

/// A started server: where it listens, where its dev files are, and how to stop it.
public struct RunningServer: Sendable {
    /// The bound KMIP addresses as `host:port` (`[v6]:port`); with port 0 requested, the real port.
    public let kmipAddresses: [String]
    /// The HTTP API address from the options (not served yet).
    public let apiAddress: String
    public let paths: DevPaths
    /// The HTTP API root token (for the coming API; secret).
    public let rootToken: String
    public let mount: KMIPMount
    let group: ServiceGroup
    let task: Task<Void, any Error>

    /// The first bound KMIP port.
    public var kmipPort: Int? { kmipAddresses.first.flatMap { $0.split(separator: ":").last.flatMap { Int($0) } } }

    /// Graceful shutdown: stop accepting, answer in-flight requests, close; then close the store.
    public func shutdown() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    /// Waits until the server stops (a signal, or ``shutdown()`` from elsewhere); rethrows a failure.
    public func wait() async throws {
        try await task.value
    }
}

enum LoggingBootstrap {
    private static let done = NSLock()
    nonisolated(unsafe) private static var bootstrapped = false

    static func once(level: Logger.Level) {
        done.lock()
        defer { done.unlock() }
        guard !bootstrapped else { return }
        bootstrapped = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
