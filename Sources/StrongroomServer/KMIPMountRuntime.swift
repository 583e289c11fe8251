import Foundation
import KMIP
import KMIPEngine
import KMIPStore
import KMIPTransport
import Logging
import Metrics
import NIOCore
import StrongroomAPI

/// Serves every enabled KMIP mount: one engine per mount, and its listeners once `kmip/config`
/// exists — the legacy one of `listen_addrs` and each named listener (Vault 2.0). A config change
/// restarts, in place, exactly the listeners whose settings changed; disabling a mount stops them
/// all. The API's ``MountRegistry`` drives it.
public actor KMIPMountRuntime: MountRuntime {
    /// One served mount.
    struct Served {
        let entry: MountEntry
        let engine: KMIPEngine
        /// Running listeners by key: ``legacyKey`` for `listen_addrs`, else the named listener's name.
        var running: [String: Running] = [:]
        var listener: KMIPListener? { running[KMIPMountRuntime.legacyKey]?.listener }
    }

    struct Running {
        let listener: KMIPListener
        let task: Task<Void, Never>
        let settings: ListenerSettings
    }

    /// Not valid listener names (names are word characters), so they never clash with one.
    static let legacyKey = "<listen_addrs>"
    /// The legacy listener's HTTPS twin (`https_listen_addrs`).
    static let httpsKey = "<https_listen_addrs>"

    /// The key of a named listener's HTTPS twin (`https_address`); `#` is no name's character.
    static func httpsKey(of name: String) -> String { name + "#https" }

    /// The named listener a key stands for, and whether it is its HTTPS twin.
    static func named(_ key: String) -> (name: String, https: Bool) {
        key.hasSuffix("#https") ? (String(key.dropLast("#https".count)), true) : (key, false)
    }

    /// The `listener` of log entries: the named listener's name, as before HTTPS twins existed.
    static func logName(_ key: String) -> String {
        key == httpsKey ? "https_listen_addrs" : named(key).https ? "\(named(key).name) https_address" : key
    }

    /// The name port checks and error messages give a running listener.
    static func displayName(_ key: String) -> String {
        switch key {
        case legacyKey: return "listen_addrs"
        case httpsKey: return "https_listen_addrs"
        default:
            let (name, https) = named(key)
            return https ? "listener \(name) https_address" : "listener \(name)"
        }
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
            try await configWritten(entry, mount: mount, old: nil, new: config)
        }
    }

    public func mountDisabled(_ entry: MountEntry) async {
        for key in served[entry.id]?.running.keys.sorted() ?? [] { await stopListener(entry.id, key) }
        served[entry.id] = nil
    }

    /// Stops the listeners that are gone or changed, then starts the new and changed ones. Every
    /// listener is tried; the first failure is thrown after.
    public func configWritten(_ entry: MountEntry, mount: KMIPMount, old: MountConfig?, new: MountConfig) async throws {
        guard !stopped, let current = served[entry.id] else { return }
        current.engine.compatibility = new.compatibility
        let wanted = ListenerSettings.all(new)
        for (key, running) in current.running where wanted[key] != running.settings { await stopListener(entry.id, key) }
        var failure: (any Error)?
        for (key, settings) in wanted.sorted(by: { $0.key < $1.key }) where served[entry.id]?.running[key] == nil {
            do { try await startListener(entry, mount: mount, key: key, settings: settings, config: new) } catch {
                if failure == nil { failure = error }
            }
        }
        if let failure { throw failure }
    }

    // MARK: Queries and shutdown

    /// The bound KMIP addresses of the mount at `path` (`host:port`, `[v6]:port`); empty when it
    /// has no listener. `https`: those of its HTTPS listener (`https_listen_addrs`).
    /// `listener`: those of that named listener (or its HTTPS twin) instead.
    public func boundAddresses(path: String, https: Bool = false, listener: String? = nil) -> [String] {
        let key = listener.map { https ? Self.httpsKey(of: $0) : $0 } ?? (https ? Self.httpsKey : Self.legacyKey)
        guard let s = served.values.first(where: { $0.entry.path == path }), let running = s.running[key] else { return [] }
        return running.listener.boundAddresses.map(Self.text)
    }

    public func engine(_ entry: MountEntry) -> KMIPEngine? { served[entry.id]?.engine }

    public func boundPorts(_ entry: MountEntry) -> [String: Set<Int>] {
        var result: [String: Set<Int>] = [:]
        for (key, running) in served[entry.id]?.running ?? [:] {
            result[Self.displayName(key)] = Set(running.listener.boundAddresses.compactMap(\.port))
        }
        return result
    }

    /// Stops every listener (graceful) and refuses to start new ones.
    public func shutdown() async {
        stopped = true
        for (id, s) in served { for key in s.running.keys.sorted() { await stopListener(id, key) } }
    }

    // MARK: Listeners

    func startListener(_ entry: MountEntry, mount: KMIPMount, key: String, settings: ListenerSettings, config: MountConfig) async throws {
        guard let s = served[entry.id] else { return }
        var configuration: TransportConfiguration
        let authenticator: any ClientAuthenticator
        if key != Self.legacyKey, key != Self.httpsKey, let named = config.listeners[Self.named(key).name] {
            let https = Self.named(key).https
            let auth = try await ListenerAuthenticator.forListener(named, mount: mount, config: config)
            configuration = try await StrongroomServer.transportConfiguration(
                listener: named, mount: mount, config: config, acceptableIssuersPEM: auth.acceptableIssuersPEM, bindHost: bindHost,
                address: https ? named.httpsAddress : nil)
            if https { configuration.framing = .https }
            authenticator = auth
        } else if key == Self.httpsKey {
            configuration = try await StrongroomServer.transportConfiguration(mount: mount, bindHost: bindHost, addresses: config.httpsListenAddrs)
            configuration.framing = .https
            authenticator = mount
        } else {
            configuration = try await StrongroomServer.transportConfiguration(mount: mount, bindHost: bindHost)
            authenticator = mount
        }
        configuration.shutdownGracePeriod = restartGracePeriod
        tuning(&configuration)
        var log = logger.with("mount", entry.path)
        if key != Self.legacyKey { log = log.with("listener", Self.logName(key)) }
        let listener = KMIPListener(configuration: configuration, processor: s.engine, authenticator: authenticator,
                                    logger: log, metrics: metrics)
        let bound: [SocketAddress]
        do { bound = try await listener.start() } catch {
            await listener.shutdown()
            let what = key == Self.legacyKey ? "the KMIP listener of \(entry.path)" : "the KMIP listener \(Self.logName(key)) of \(entry.path)"
            throw MountError.invalid("\(what) could not start on \(configuration.listenAddresses.joined(separator: ", ")): \(error)")
        }
        served[entry.id]?.running[key] = Running(listener: listener, task: Task { try? await listener.run() }, settings: settings)
        log.info("KMIP listener started", metadata: ["addresses": "\(bound.map(Self.text).joined(separator: ","))"])
    }

    func stopListener(_ id: String, _ key: String) async {
        guard let s = served[id], let running = s.running[key] else { return }
        served[id]?.running[key] = nil
        await running.listener.shutdown()
        await running.task.value
        var metadata: Logger.Metadata = ["mount": "\(s.entry.path)"]
        if key != Self.legacyKey { metadata["listener"] = "\(Self.logName(key))" }
        logger.info("KMIP listener stopped", metadata: metadata)
    }

    static func text(_ address: SocketAddress) -> String {
        let host = address.ipAddress ?? "?"
        let port = address.port.map(String.init) ?? "?"
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// The config fields a running listener depends on; the client defaults are not among them.
enum ListenerSettings: Equatable {
    case legacy(listenAddrs: [String], connectionTimeout: Int, serverHostnames: [String], serverIPs: [String], tlsMinVersion: String)
    /// A named listener, the CAs it trusts as defined now (an imported CA's new mapping restarts
    /// it: its open connections were admitted under the old one), and the handshake timeout.
    case named(NamedListener, trusted: [NamedAuthority?], connectionTimeout: Int)

    /// Every listener `config` asks for, by ``KMIPMountRuntime/legacyKey`` or name.
    static func all(_ config: MountConfig) -> [String: ListenerSettings] {
        var result: [String: ListenerSettings] = [:]
        if !config.listenAddrs.isEmpty {
            result[KMIPMountRuntime.legacyKey] = .legacy(
                listenAddrs: config.listenAddrs, connectionTimeout: config.connectionTimeout,
                serverHostnames: config.serverHostnames, serverIPs: config.serverIPs, tlsMinVersion: config.tlsMinVersion.rawValue)
        }
        if !config.httpsListenAddrs.isEmpty {
            result[KMIPMountRuntime.httpsKey] = .legacy(
                listenAddrs: config.httpsListenAddrs, connectionTimeout: config.connectionTimeout,
                serverHostnames: config.serverHostnames, serverIPs: config.serverIPs, tlsMinVersion: config.tlsMinVersion.rawValue)
        }
        for (name, listener) in config.listeners {
            result[name] = .named(listener, trusted: listener.clientCAs.map { config.authorities[$0] },
                                  connectionTimeout: config.connectionTimeout)
            if listener.httpsAddress != nil { result[KMIPMountRuntime.httpsKey(of: name)] = result[name] }
        }
        return result
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
