import Foundation
import KMIP
import KMIPEngine
import KMIPStore
import KMIPTransport
import Logging
import Metrics
import NIOCore
import StrongroomAPI

/// Serves every enabled KMIP mount: one engine per mount, and its listener once `kmip/config`
/// exists. A config write that changes a listener setting restarts that mount's listener in
/// place; disabling a mount stops it. The API's ``MountRegistry`` drives it.
public actor KMIPMountRuntime: MountRuntime {
    /// One served mount.
    struct Served {
        let entry: MountEntry
        let engine: KMIPEngine
        var listener: KMIPListener?
        var task: Task<Void, Never>?
        var settings: ListenerSettings?
    }

    let objects: any ObjectStore
    let logger: Logger
    /// The engine observer of each mount (audit entries name their mount).
    let engineObserver: @Sendable (MountEntry) -> (any KMIPRequestObserver)?
    /// Where the engines and listeners record their metrics.
    let metrics: any MetricsFactory
    /// How long a restart or a disable lets in-flight requests finish.
    let restartGracePeriod: Duration
    /// Server-wide limits applied to every listener (connections, idle timeout, message limits).
    let tuning: @Sendable (inout TransportConfiguration) -> Void
    /// Seconds a streamed operation may last however busy (config `limits.stream_lifetime`).
    let streamLifetime: Double
    /// The message limits every mount's engine decodes with (config `limits`).
    let engineLimits: Limits
    /// Where every mount's CPU-heavy work runs (config `limits.heavy_threads`, `heavy_queue_per_client`).
    let heavy: HeavyWorkPool
    /// `node.kmip_bind_host`: the host every listener of this node binds, whatever `listen_addrs` says.
    let bindHost: String?
    private var served: [String: Served] = [:]
    private var stopped = false

    public init(objects: any ObjectStore, logger: Logger,
                engineObserver: @escaping @Sendable (MountEntry) -> (any KMIPRequestObserver)? = { _ in nil },
                metrics: any MetricsFactory = MetricsSystem.factory, restartGracePeriod: Duration = .seconds(2),
                tuning: @escaping @Sendable (inout TransportConfiguration) -> Void = { _ in },
                streamLifetime: Double = 600, engineLimits: Limits = .default, heavy: HeavyWorkPool = .shared,
                bindHost: String? = nil) {
        self.tuning = tuning
        self.bindHost = bindHost
        self.heavy = heavy
        self.engineLimits = engineLimits
        self.streamLifetime = streamLifetime
        self.objects = objects
        self.logger = logger
        self.engineObserver = engineObserver
        self.metrics = metrics
        self.restartGracePeriod = restartGracePeriod
    }

    // MARK: MountRuntime

    public func mountEnabled(_ entry: MountEntry, mount: KMIPMount) async throws {
        guard !stopped, served[entry.id] == nil else { return }
        let engine = KMIPEngine(objects: objects, mount: mount.store,
                                logger: logger.with("mount", entry.path), limits: engineLimits, observer: engineObserver(entry),
                                streamLifetime: streamLifetime, heavy: heavy, metrics: metrics, directory: mount.directory)
        served[entry.id] = Served(entry: entry, engine: engine)
        if let config = try await mount.config() {
            engine.compatibility = config.compatibility
            try await startListener(entry, mount: mount, settings: ListenerSettings(config))
        }
    }

    public func mountDisabled(_ entry: MountEntry) async {
        await stopListener(entry.id)
        served[entry.id] = nil
    }

    public func configWritten(_ entry: MountEntry, mount: KMIPMount, old: MountConfig?, new: MountConfig) async throws {
        guard !stopped, let current = served[entry.id] else { return }
        current.engine.compatibility = new.compatibility
        let settings = ListenerSettings(new)
        if current.listener != nil, current.settings == settings { return }
        await stopListener(entry.id)
        try await startListener(entry, mount: mount, settings: settings)
    }

    // MARK: Queries and shutdown

    /// The bound KMIP addresses of the mount at `path` (`host:port`, `[v6]:port`); empty when it
    /// has no listener.
    public func boundAddresses(path: String) -> [String] {
        guard let s = served.values.first(where: { $0.entry.path == path }), let listener = s.listener else { return [] }
        return listener.boundAddresses.map(Self.text)
    }

    public func boundPorts(_ entry: MountEntry) -> [Int] {
        served[entry.id]?.listener?.boundAddresses.compactMap(\.port) ?? []
    }

    /// Stops every listener (graceful) and refuses to start new ones.
    public func shutdown() async {
        stopped = true
        for id in served.keys { await stopListener(id) }
    }

    // MARK: Listeners

    func startListener(_ entry: MountEntry, mount: KMIPMount, settings: ListenerSettings) async throws {
        guard var s = served[entry.id] else { return }
        var configuration = try await StrongroomServer.transportConfiguration(mount: mount, bindHost: bindHost)
        configuration.shutdownGracePeriod = restartGracePeriod
        tuning(&configuration)
        let listener = KMIPListener(configuration: configuration, processor: s.engine, authenticator: mount,
                                    logger: logger.with("mount", entry.path), metrics: metrics)
        let bound: [SocketAddress]
        do { bound = try await listener.start() } catch {
            await listener.shutdown()
            throw MountError.invalid("the KMIP listener of \(entry.path) could not start on "
                + "\(configuration.listenAddresses.joined(separator: ", ")): \(error)")
        }
        s.listener = listener
        s.settings = settings
        s.task = Task { try? await listener.run() }
        served[entry.id] = s
        logger.info("KMIP listener started", metadata: [
            "mount": "\(entry.path)", "addresses": "\(bound.map(Self.text).joined(separator: ","))",
        ])
    }

    func stopListener(_ id: String) async {
        guard var s = served[id], let listener = s.listener else { return }
        s.listener = nil
        s.settings = nil
        let task = s.task
        s.task = nil
        served[id] = s
        await listener.shutdown()
        await task?.value
        logger.info("KMIP listener stopped", metadata: ["mount": "\(s.entry.path)"])
    }

    static func text(_ address: SocketAddress) -> String {
        let host = address.ipAddress ?? "?"
        let port = address.port.map(String.init) ?? "?"
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// The config fields a running listener depends on; the client defaults are not among them.
struct ListenerSettings: Equatable {
    let listenAddrs: [String]
    let connectionTimeout: Int
    let serverHostnames: [String]
    let serverIPs: [String]
    let tlsMinVersion: String

    init(_ config: MountConfig) {
        listenAddrs = config.listenAddrs
        connectionTimeout = config.connectionTimeout
        serverHostnames = config.serverHostnames
        serverIPs = config.serverIPs
        tlsMinVersion = config.tlsMinVersion.rawValue
    }
}

extension Logger {
    /// A copy with one more metadata value.
    func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        copy[metadataKey: key] = "\(value)"
        return copy
    }
}
