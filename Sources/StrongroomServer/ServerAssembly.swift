import Foundation
import Hummingbird
import KMIP
import KMIPEngine
import KMIPStore
import KMIPTransport
import Logging
import NIOCore
import ServiceLifecycle
import StrongroomAPI
import Prometheus
import StrongroomObservability

/// Where the HTTP API listens and whether it speaks TLS.
public struct APIListenerOptions: Sendable, Hashable {
    /// `host:port`; port 0 binds an ephemeral port (tests).
    public var address: String
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    /// Timeouts and connection cap (config `api.*`).
    public var limits = APIConnectionLimits()
    /// Largest request body (config `api.max_request_size`).
    public var maxRequestSize = 32 << 20

    public init(address: String = "127.0.0.1:8200", tlsCertificateFile: String? = nil, tlsKeyFile: String? = nil) {
        self.address = address; self.tlsCertificateFile = tlsCertificateFile; self.tlsKeyFile = tlsKeyFile
    }

    /// The TLS files, when both are set.
    func tlsFiles() throws -> APITLSFiles? {
        switch (tlsCertificateFile, tlsKeyFile) {
        case (nil, nil): return nil
        case (let cert?, let key?): return APITLSFiles(certificateFile: cert, keyFile: key)
        default: throw ConfigFileError("the API's TLS needs both a certificate file and a key file")
        }
    }
}

/// The parts of a running server over one open store: the mounts' KMIP listeners (through
/// ``KMIPMountRuntime``), the HTTP API, audit and metrics.
struct ServerAssembly: Sendable {
    let store: any ServerStore
    let runtime: KMIPMountRuntime
    let registry: MountRegistry
    let tokens: TokenAuth
    let observability: Observability
    let router: APIRouter
    let logger: Logger
    /// Audit devices of the config file: enabled at every start, not changeable through the API.
    let declaredAuditDevices: [AuditDeviceRecord]

    init(store: any ServerStore, logger: Logger, auditRules: AuditRules, declaredAuditDevices: [AuditDeviceRecord] = [],
         streamLifetime: Int = 600, limits: Limits = .default, heavy: HeavyWorkPool = .shared, kmipBindHost: String? = nil,
         nodes: (any NodeStore)? = nil, experiments: Set<String> = [],
         transportTuning: @escaping @Sendable (inout TransportConfiguration) -> Void = { _ in }) {
        self.store = store
        self.logger = logger
        self.declaredAuditDevices = declaredAuditDevices
        // One registry per server: every component records into it through swift-metrics (no
        // process-wide bootstrap, so servers in one process keep their own), sys/metrics reads it.
        let metricsRegistry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: metricsRegistry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        let observability = Observability(logger: logger.with("component", "audit"), metrics: factory, auditRules: auditRules)
        self.observability = observability
        runtime = KMIPMountRuntime(objects: store, logger: logger, engineObserver: { entry in
            let scopes = store.mountStore(mountID: entry.id)
            return observability.kmip(mount: entry.path) { id in try? await scopes.scope(id: id)?.name }
        },
                                   metrics: factory, tuning: transportTuning,
                                   streamLifetime: Double(streamLifetime), engineLimits: limits, heavy: heavy,
                                   bindHost: kmipBindHost)
        registry = MountRegistry(system: store, runtime: runtime)
        tokens = TokenAuth(store: store)
        var paths = APIPaths.standard
        for path in SysAuditPath.paths(store: store, audit: BrokerAuditControl(broker: observability.audit)) { paths.register(path) }
        paths.register(SysMetricsPath.path(metricsRegistry))
        if let nodes { paths.register(SysHAStatusPath.path(nodes: nodes)) }
        paths.register(experiments: experiments)
        router = APIRouter(paths: paths, system: store, mounts: registry, tokens: tokens,
                           observers: [APIAuditObserver(observability: observability)],
                           logger: logger.with("component", "api"), metrics: factory)
    }

    /// Loads the stored audit devices and mounts (starting their listeners).
    func load() async throws {
        // A device that cannot open now is kept and retried (a fail-closed one refuses requests
        // meanwhile). Stored devices came through the API: today's rules apply to them again.
        for failure in observability.audit.restore(declaredAuditDevices, origin: .declared)
            + observability.audit.restore(try await store.auditDevices(), origin: .api) {
            logger.warning("audit device unavailable at start", metadata: ["error": "\(failure)"])
        }
        try await registry.load()
        try await router.services.policies.bootstrap()
    }

    /// Makes `token` the dev root token (display name `dev-root`), revoking every other dev root
    /// token with its children: a token chosen at an earlier start must not stay root forever.
    func installRootToken(_ token: String) async throws {
        let hash = TokenAuth.hash(token)
        // Before this rule dev root tokens were orphans named `root`; dev mode owns those too.
        let devRoots = try await store.tokens().filter {
            $0.parentAccessor == nil && $0.isRoot && ($0.displayName == Self.devRootName || $0.displayName == "root")
        }
        for old in devRoots where old.tokenHash != hash {
            try await store.deleteToken(accessor: old.accessor)
        }
        if let existing = try await store.token(hash: hash) {
            if existing.isRoot { return }
            // The chosen value is a lesser token's: it becomes the root token instead.
            try await store.deleteToken(accessor: existing.accessor)
        }
        let now = DateTime(secondsSince1970: Int64(Date().timeIntervalSince1970))
        try await store.insertToken(TokenRecord(accessor: Identifiers.base62(count: 24), tokenHash: hash,
                                                policies: [TokenAuth.rootPolicy], displayName: Self.devRootName, createdAt: now))
    }

    static let devRootName = "dev-root"

    /// Seconds: a cached AES operation takes well under a millisecond, RSA-4096 key generation seconds.
    static let durationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]
}

/// The audit broker as `sys/audit` manages it: API-origin devices, errors as the API's.
struct BrokerAuditControl: AuditDeviceControl {
    let broker: AuditBroker

    func devices() -> [AuditDeviceRecord] { broker.devices() }

    func enable(_ record: AuditDeviceRecord) throws -> AuditDeviceRecord {
        do { return try broker.enable(record, origin: .api) } catch { throw APIError.invalid(error.message) }
    }

    func disable(path: String) throws {
        // Disabling what is not enabled is not an error (Vault); a declared device is.
        do { try broker.disable(path: path, origin: .api) } catch where error.kind == .invalidOption {
            throw APIError.invalid(error.message)
        } catch {}
    }
}

/// Audits every API request through ``Observability``.
struct APIAuditObserver: APIRequestObserver {
    let observability: Observability

    func requestReceived(_ request: APIRequest, tokenAccessor: String?) async throws {
        try await observability.logAPIRequest(id: request.id, operation: request.operation.rawValue, path: request.path,
                                        remoteAddress: request.remoteAddress, auth: tokenAccessor.map { .init(accessor: $0) })
    }

    func responseSent(_ request: APIRequest, response: APIResponse, tokenAccessor: String?) async {
        try? await observability.logAPIResponse(
            id: request.id, operation: request.operation.rawValue, path: request.path,
            remoteAddress: request.remoteAddress, auth: tokenAccessor.map { .init(accessor: $0) },
            status: response.status, error: response.errors.first)
    }
}

/// Runs the mounts for the life of the service group: loads them at start, stops their
/// listeners at graceful shutdown.
struct MountsService: Service {
    let runtime: KMIPMountRuntime

    func run() async throws {
        try? await gracefulShutdown()
        await runtime.shutdown()
    }
}
