import Prometheus
import VaultFramework

/// `sys/metrics?format=prometheus`: the server's metrics in Prometheus' text format (the only
/// format), from the registry every component records into through swift-metrics.
/// Who may call: tokens with `read` on `sys/metrics`.
public enum SysMetricsPath {
    /// Content-Type of the text exposition format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func path(_ registry: PrometheusCollectorRegistry) -> APIPath {
        APIPath("sys/metrics", scope: .system, fields: [FieldSchema("format", .string, default: "prometheus", "prometheus")],
                warnsOnUnknownFields: false, help: "Server metrics.",
                operations: [.read: { ctx in
                    let format = ctx.fields.string("format") ?? "prometheus"
                    guard format == "prometheus" || format.isEmpty else {
                        throw APIError.invalid("format \"\(format)\" is not supported; use prometheus")
                    }
                    var buffer: [UInt8] = []
                    registry.emit(into: &buffer)
                    return APIResponse(status: 200, body: .text(String(decoding: buffer, as: UTF8.self), contentType: contentType))
                }])
    }
}
