import KMIP
import Metrics

/// The engine's metrics, through swift-metrics: `kmip_requests_total{operation,result}` and
/// `kmip_request_duration_seconds{operation}` for every batch item, refused and undone ones too.
/// Label values are spec names or one of a few fixed words, never identifiers, so a metric family
/// has at most (operations × result reasons) series.
struct EngineMetrics: Sendable {
    let factory: any MetricsFactory

    func record(_ operation: Operation?, _ status: ResultStatus?, _ reason: ResultReason?, duration: Duration? = nil) {
        guard let status else { return }
        let op = Self.label(operation)
        Counter(label: "kmip_requests_total", dimensions: [("operation", op), ("result", Self.result(status, reason))],
                factory: factory).increment()
        if let duration {
            Metrics.Timer(label: "kmip_request_duration_seconds", dimensions: [("operation", op)], factory: factory)
                .record(duration)
        }
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
}

extension Metrics.Timer {
    /// Records a `Duration` (swift-metrics takes nanoseconds).
    public func record(_ duration: Duration) {
        let c = duration.components
        recordNanoseconds(c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000)
    }
}
