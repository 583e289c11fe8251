import StrongroomAPI
import StrongroomObservability

/// `sys/metrics?format=prometheus`: the metrics in Prometheus' text format (the only format).
enum SysMetricsPath {
    static func path(_ observability: Observability) -> APIPath {
        APIPath("sys/metrics", scope: .system, fields: [APIField("format", .string, default: "prometheus", "prometheus")],
                warnsOnUnknownFields: false, help: "Server metrics.",
                operations: [.read: { ctx in
                    let format = ctx.fields["format"]?.stringValue ?? "prometheus"
                    guard format == "prometheus" || format.isEmpty else {
                        throw APIError.invalid("format \"\(format)\" is not supported; use prometheus")
                    }
                    let (body, contentType) = observability.prometheus()
                    return APIResponse(status: 200, body: .text(body, contentType: contentType))
                }])
    }
}
