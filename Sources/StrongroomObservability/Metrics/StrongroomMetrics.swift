import KMIP
import KMIPPKI
import KMIPTransport

/// The server's metrics (DESIGN §3.9), exposed at `/v1/sys/metrics?format=prometheus`. It is the
/// listener's `TransportObserver`; ``KMIPAuditObserver`` feeds it every KMIP batch item.
public final class StrongroomMetrics: TransportObserver {
    public let registry: MetricsRegistry
    let kmipRequests: Counter
    let kmipDuration: Histogram
    let connectionsActive: Gauge
    let connectionsRejected: Counter
    let tlsHandshakes: Counter
    let apiRequests: Counter
    let apiDuration: Histogram
    let auditFailures: Counter

    /// Seconds: a cached AES operation takes well under a millisecond, RSA-4096 key generation seconds.
    public static let durationBuckets: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    public init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
        kmipRequests = registry.counter(
            "kmip_requests_total", help: "KMIP batch items processed, by operation and result.",
            labels: ["operation", "result"])
        kmipDuration = registry.histogram(
            "kmip_request_duration_seconds", help: "Time to process one KMIP batch item, by operation.",
            labels: ["operation"], buckets: Self.durationBuckets)
        connectionsActive = registry.gauge("kmip_connections_active", help: "Open KMIP connections (handshaking ones included).")
        connectionsRejected = registry.counter(
            "kmip_connections_rejected_total", help: "KMIP connections refused at the connection limit or during shutdown.")
        tlsHandshakes = registry.counter(
            "kmip_tls_handshakes_total", help: "KMIP TLS handshakes, by result (success or a failure category).",
            labels: ["result"])
        apiRequests = registry.counter(
            "api_requests_total", help: "HTTP API requests, by method and status code.", labels: ["method", "status"])
        apiDuration = registry.histogram(
            "api_request_duration_seconds", help: "Time to answer one HTTP API request, by method.",
            labels: ["method"], buckets: Self.durationBuckets)
        auditFailures = registry.counter(
            "audit_log_failures_total", help: "Audit entries a device failed to write, by device path.", labels: ["device"])
    }

    /// The Prometheus text exposition of every metric.
    public func prometheusText() -> String { registry.prometheusText() }

    /// Content-Type of ``prometheusText()``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    // MARK: KMIP

    public func recordKMIP(operation: Operation?, status: ResultStatus, reason: ResultReason?, duration: Duration?) {
        let op = Self.label(operation)
        kmipRequests.increment([op, Self.result(status, reason)])
        if let duration { kmipDuration.observe(duration.seconds, [op]) }
    }

    /// The spec name of a defined operation; anything else (extensions, garbage) shares one label.
    static func label(_ operation: Operation?) -> String {
        guard let operation, let value = Operation.definition.value(operation.rawValue) else { return "unknown" }
        return value.xmlName
    }

    static func result(_ status: ResultStatus, _ reason: ResultReason?) -> String {
        switch status {
        case .success: return "success"
        case .operationUndone: return "undone"
        case .operationPending: return "pending"
        default:
            guard let reason, let value = ResultReason.definition.value(reason.rawValue) else { return "unknown" }
            return value.xmlName
        }
    }

    // MARK: HTTP API

    public func recordAPI(method: String, status: Int, duration: Duration? = nil) {
        let method = Self.method(method)
        apiRequests.increment([method, (100...599).contains(status) ? String(status) : "other"])
        if let duration { apiDuration.observe(duration.seconds, [method]) }
    }

    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "LIST"]

    static func method(_ method: String) -> String {
        let upper = method.uppercased()
        return methods.contains(upper) ? upper : "OTHER"
    }

    // MARK: Audit

    /// `device` is an operator-configured device path: a small set.
    /// `entries`: the entries the failed write held (the metric counts entries not written).
    public func recordAuditFailure(device: String, entries: Int = 1) { auditFailures.increment([device], by: Double(entries)) }

    // MARK: TransportObserver

    public func connectionOpened(id: UInt64) { connectionsActive.add(1) }
    public func connectionClosed(id: UInt64) { connectionsActive.add(-1) }
    public func connectionRejected() { connectionsRejected.increment() }
    public func handshakeSucceeded(id: UInt64, client: ClientIdentity) { tlsHandshakes.increment(["success"]) }
    public func handshakeFailed(id: UInt64, reason: TLSHandshakeFailure) { tlsHandshakes.increment([reason.rawValue]) }
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
