import KMIPEngine
import Metrics

/// The API's metrics, through swift-metrics. Labels stay bounded: a method outside HTTP's and
/// Vault's set is `OTHER`, a status outside 100–599 is `other`; never a path.
struct APIMetrics: Sendable {
    let factory: any MetricsFactory

    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "LIST"]

    func record(method: String, status: Int, duration: Duration) {
        let method = Self.method(method)
        Counter(label: "api_requests_total",
                dimensions: [("method", method), ("status", (100...599).contains(status) ? String(status) : "other")],
                factory: factory).increment()
        Metrics.Timer(label: "api_request_duration_seconds", dimensions: [("method", method)], factory: factory)
            .record(duration)
    }

    static func method(_ method: String) -> String {
        let upper = method.uppercased()
        return methods.contains(upper) ? upper : "OTHER"
    }
}
