import Foundation
import KMIP
import KMIPEngine
import KMIPPKI
import KMIPStore
import KMIPTransport
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import StrongroomAPI
import StrongroomObservability

/// The composition root: opens the store, builds the mounts' KMIP listeners (``KMIPMountRuntime``),
/// the HTTP API, audit and metrics (``ServerAssembly``), and runs them as one ServiceGroup. Dev mode
/// (`strongroom server -dev`) provisions a ready `kmip/` mount and credential first; production
/// (`strongroom server -config FILE`) serves whatever the store holds.
public enum StrongroomServer {
    /// Names and roles of what dev mode provisions.
    public static let devScope = "default"
    public static let devRole = "admin"

    /// Sets up dev mode in `options.dataDirectory`, then starts the KMIP listener of `kmip/` and the
    /// HTTP API; returns once both are bound. Call ``RunningServer/shutdown()`` (or send
    /// SIGTERM/SIGINT when `handlesSignals`) to stop.
    public static func startDev(_ options: DevOptions, logger: Logger = Logger(label: "strongroom")) async throws -> RunningServer {
        let dev = try await DevEnvironment.prepare(options, logger: logger)
        // Dev mode lets the API add file devices, inside the data directory's `audit/` only.
        let auditDirectory = dev.paths.dataDirectory + "/audit"
        try DevFiles.ensureDirectory(auditDirectory)
        let assembly = ServerAssembly(store: dev.store, logger: logger,
                                      auditRules: AuditRules(directory: auditDirectory, allowAPIDevices: true),
                                      experiments: try ServerConfigFile.experiments(options.experiments))
        do {
            try await assembly.installRootToken(dev.rootToken)
            return try await start(assembly, api: APIListenerOptions(address: options.apiListenAddress),
                                   handlesSignals: options.handlesSignals, logger: logger,
                                   paths: dev.paths, rootToken: dev.rootToken, lock: dev.lock)
        } catch {
            await assembly.runtime.shutdown()
            try? dev.store.close()
            dev.lock.release()
            throw error
        }
    }

    /// Production mode from a ``ServerConfigFile``: opens (or creates) the store under
    /// `storage.path` with the configured root key, creates the root token on first start (its
    /// plaintext is returned once, in ``RunningServer/rootToken``; empty afterwards), and serves.
    public static func start(config: ServerConfigFile, handlesSignals: Bool,
                             logger: Logger = Logger(label: "strongroom")) async throws -> RunningServer {
        let keyring: Keyring
        switch config.rootKey {
        case .file(let path): keyring = try Keyring.load(keyFile: path, createIfMissing: false)
        case .environment(let name): keyring = try Keyring.fromEnvironment(name)
        }
        let store: any ServerStore
        let lock: DataDirectoryLock?
        var cluster: ClusterOptions?
        if let postgresql = config.postgresql {
            // Several nodes share this database: no data directory, no lock; each node follows the
            // others' changes (ClusterSync).
            let pg = try await PostgresStore.open(.init(connectionURL: postgresql.connectionURL,
                                                        maxConnections: postgresql.maxConnections),
                                                  keyring: keyring, logger: logger.with("component", "store.postgresql"))
            store = pg
            lock = nil
            let now = DateTime(secondsSince1970: Int64(Date().timeIntervalSince1970))
            cluster = ClusterOptions(feed: pg, nodes: pg, node: NodeRecord(
                id: config.node.id ?? ProcessInfo.processInfo.hostName, apiAddress: "", kmipBindHost: config.node.kmipBindHost,
                version: APIServerInfo().version, startedAt: now, lastHeartbeat: now))
        } else {
            try DevFiles.ensureDirectory(config.storagePath)
            let directoryLock = try DataDirectoryLock.acquire(config.storagePath)
            do { store = try SQLiteStore(path: DevPaths(dataDirectory: config.storagePath).database, keyring: keyring) } catch {
                directoryLock.release()
                throw error
            }
            lock = directoryLock
        }
        let paths = DevPaths(dataDirectory: config.storagePath)
        if let directory = config.auditRules.directory { try DevFiles.ensureDirectory(directory) }
        let assembly = ServerAssembly(store: store, logger: logger, auditRules: config.auditRules,
                                      declaredAuditDevices: config.auditDevices,
                                      streamLifetime: config.streamLifetime, limits: config.limits,
                                      heavy: HeavyWorkPool(threads: config.heavyThreads, maxQueuedPerClient: config.heavyQueuePerClient,
                                                           admissionTimeout: .seconds(config.heavyQueueTimeout)),
                                      kmipBindHost: config.node.kmipBindHost, nodes: cluster?.nodes,
                                      experiments: Set(config.experiments)) { transport in
            transport.limits = config.limits
            transport.maxConnections = config.maxConnections
            transport.maxConnectionsPerClient = config.maxConnectionsPerClient
            transport.maxPipelinedBytes = config.maxPipelinedBytes
            transport.idleTimeout = .seconds(config.idleTimeout)
        }
        do {
            let token = try await assembly.tokens.bootstrapRootToken() ?? ""
            var api = APIListenerOptions(address: config.apiAddress, tlsCertificateFile: config.apiTLSCertificateFile,
                                         tlsKeyFile: config.apiTLSKeyFile)
            api.limits = config.apiLimits
            api.maxRequestSize = config.apiMaxRequestSize
            return try await start(assembly, api: api, handlesSignals: handlesSignals, logger: logger,
                                   paths: paths, rootToken: token, lock: lock, cluster: cluster)
        } catch {
            await assembly.runtime.shutdown()
            try? await store.close()
            lock?.release()
            throw error
        }
    }

    /// What a node of a cluster (PostgreSQL storage) runs beside the API and the listeners.
    struct ClusterOptions: Sendable {
        let feed: any ChangeFeed
        let nodes: any NodeStore
        var node: NodeRecord
    }

    /// Loads the mounts (binding their KMIP listeners), binds the HTTP API, and runs both.
    static func start(_ assembly: ServerAssembly, api: APIListenerOptions, handlesSignals: Bool, logger: Logger,
                      paths: DevPaths, rootToken: String, lock: DataDirectoryLock?,
                      cluster: ClusterOptions? = nil) async throws -> RunningServer {
        try await assembly.load()
        let (host, port) = try splitAddress(api.address)
        let bound = APIBoundAddress()
        let application = try buildApplication(
            configuration: APIConfiguration(host: host, port: port, maxBodySize: api.maxRequestSize, tls: try api.tlsFiles(),
                                            limits: api.limits),
            router: assembly.router, logger: logger.with("component", "api.http"),
            onServerRunning: { channel in bound.set(channel.localAddress) })
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: MountsService(runtime: assembly.runtime)), .init(service: application)]
        if var cluster {
            cluster.node.apiAddress = (api.tlsCertificateFile == nil ? "http://" : "https://") + api.address
            services.append(.init(service: ClusterSync(
                registry: assembly.registry, audit: assembly.observability.audit, store: assembly.store, feed: cluster.feed,
                nodes: cluster.nodes, node: cluster.node, logger: logger.with("component", "cluster"))))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: handlesSignals ? [.sigterm, .sigint] : [],
            logger: logger))
        let store = assembly.store
        let task = Task {
            do { try await group.run() } catch {
                try? await store.close()
                lock?.release()
                throw error
            }
            try? await store.close()
            lock?.release()
        }
        // The API binds inside the group; wait for it (or for the group to fail).
        let apiAddress = try await bound.wait(failingWith: task)
        let mount = await assembly.registry.mount(at: "kmip/")?.mount
        return RunningServer(kmipAddresses: await assembly.runtime.boundAddresses(path: "kmip/"), apiAddress: apiAddress,
                             paths: paths, rootToken: rootToken, mount: mount, registry: assembly.registry,
                             runtime: assembly.runtime, observability: assembly.observability, group: group, task: task)
    }

    /// `host:port` or `[v6]:port`.
    static func splitAddress(_ text: String) throws -> (String, Int) {
        do {
            let (host, port) = try MountConfig.splitListenAddress(text)
            return (host, port)
        } catch {
            throw ConfigFileError("the API address \"\(text)\" is not host:port")
        }
    }

    /// ``MountConfig`` → ``TransportConfiguration``. `bindHost` (`node.kmip_bind_host`) replaces
    /// the host of every listen address, and the server certificate covers it. `addresses`: bind
    /// these instead of `listen_addrs` (the HTTPS listener's `https_listen_addrs`).
    public static func transportConfiguration(mount: KMIPMount, bindHost: String? = nil,
                                              addresses: [String]? = nil) async throws -> TransportConfiguration {
        guard let config = try await mount.config() else {
            throw MountError(.notConfigured, "the KMIP engine has not been configured: write its config (<mount>/config) first")
        }
        let ca = try await mount.ca()
        let server = try await mount.serverCredential(node: bindHost)
        var transport = TransportConfiguration(
            listenAddresses: try (addresses ?? config.listenAddrs).map { address in
                guard let bindHost else { return address }
                let port = try MountConfig.splitListenAddress(address).port
                return bindHost.contains(":") ? "[\(bindHost)]:\(port)" : "\(bindHost):\(port)"
            },
            serverCertificateChainPEM: [server.certificatePEM, ca.intermediatePEM],
            serverPrivateKeyPEM: server.privateKeyPEM,
            clientTrustRootsPEM: [ca.rootPEM, ca.intermediatePEM])
        transport.tlsMinimumVersion = TLSMinimumVersion(rawValue: config.tlsMinVersion.rawValue) ?? .tls12
        transport.connectionTimeout = .seconds(config.connectionTimeout)
        return transport
    }

    /// The transport of a named listener: its address or `chosen` (its `https_address`), the host
    /// replaced by `bindHost` when set; a
    /// server certificate from its CA, its TLS versions and suites, the mount's handshake timeout.
    static func transportConfiguration(listener: NamedListener, mount: KMIPMount, config: MountConfig,
                                       acceptableIssuersPEM: [String], bindHost: String?,
                                       address chosen: String? = nil) async throws -> TransportConfiguration {
        let (server, ca) = try await mount.serverCredential(for: listener, config: config, node: bindHost)
        var address = chosen ?? listener.address
        if let bindHost {
            let port = try MountConfig.splitListenAddress(address).port
            address = bindHost.contains(":") ? "[\(bindHost)]:\(port)" : "\(bindHost):\(port)"
        }
        var transport = TransportConfiguration(
            listenAddresses: [address], serverCertificateChainPEM: [server.certificatePEM, ca.intermediatePEM],
            serverPrivateKeyPEM: server.privateKeyPEM, clientTrustRootsPEM: acceptableIssuersPEM)
        transport.tlsMinimumVersion = listener.tlsMinVersion == .tls13 ? .tls13 : .tls12
        transport.tlsMaximumVersion = listener.tlsMaxVersion.map { $0 == .tls13 ? .tls13 : .tls12 }
        transport.tls12CipherSuites = listener.tlsCipherSuites
        transport.connectionTimeout = .seconds(config.connectionTimeout)
        return transport
    }

    /// Logs to standard error at `level` (once per process; later calls do nothing), as text or
    /// as JSON lines.
    public static func bootstrapLogging(level: Logger.Level = .info, json: Bool = false) {
        LoggingBootstrap.once(level: level, json: json)
    }

    /// As ``bootstrapLogging(level:json:)`` from a level name: trace, debug, info, notice, warning, error, critical.
    public static func bootstrapLogging(levelName: String, json: Bool = false) throws {
        guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
            throw MountError.invalid("unknown log level \"\(levelName)\"; use trace, debug, info, notice, warning, error or critical")
        }
        bootstrapLogging(level: level, json: json)
    }
}

enum LoggingBootstrap {
    /// Whether the logging system was bootstrapped (it may be only once per process).
    private static let bootstrapped = NIOLockedValueBox(false)

    static func once(level: Logger.Level, json: Bool) {
        bootstrapped.withLockedValue { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap { label in
                if json { return JSONLogHandler(label: label, logLevel: level) }
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
