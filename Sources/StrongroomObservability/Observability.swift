import Foundation
import KMIPEngine
import KMIPTransport
import Logging

/// What the composition root builds once and hands out: the audit devices, the metrics, the
/// engine's observer (``kmip``), the listener's observer (``metrics``) and the two calls the HTTP
/// API's request observer makes.
public final class Observability: Sendable {
    public let metrics: StrongroomMetrics
    public let audit: AuditBroker

    public init(logger: Logger = Logger(label: "strongroom.audit"), metrics: StrongroomMetrics = StrongroomMetrics(),
                auditRules: AuditRules = AuditRules()) {
        self.metrics = metrics
        self.audit = AuditBroker(logger: logger, metrics: metrics, rules: auditRules)
    }

    /// Pass to `KMIPEngine(…, observer:)`.
    public var kmip: KMIPAuditObserver { KMIPAuditObserver(audit: audit, metrics: metrics) }

    /// The same, naming the mount (`kmip/`) in each entry: one per mount's engine.
    public func kmip(mount: String, scopeName: (@Sendable (String) async -> String?)? = nil) -> KMIPAuditObserver {
        KMIPAuditObserver(audit: audit, metrics: metrics, mount: mount, scopeName: scopeName)
    }

    /// Pass to `KMIPListener(…, observer:)`.
    public var transport: any TransportObserver { metrics }

    /// Audits an API request before it runs. Throws ``AuditError`` (kind `unavailable`) when a
    /// fail-closed device cannot write: the API must then refuse the request (Vault answers 500).
    /// Pass no request body: the entry has no place for one.
    public func logAPIRequest(id: String, operation: String, path: String, remoteAddress: String?,
                              auth: AuditEntry.Auth?) async throws(AuditError) {
        guard audit.isEnabled else { return }
        try await audit.log(.api(.request, id: id, operation: operation, path: path, remoteAddress: remoteAddress, auth: auth))
    }

    /// Counts an API response (`method` is the HTTP method, `status` its status code) and audits it.
    /// `error` is the text of Vault's `errors` array, if any — never a response body.
    public func logAPIResponse(id: String, method: String, operation: String, path: String, remoteAddress: String?,
                               auth: AuditEntry.Auth?, status: Int, error: String?,
                               duration: Duration? = nil) async throws(AuditError) {
        metrics.recordAPI(method: method, status: status, duration: duration)
        guard audit.isEnabled else { return }
        try await audit.log(.api(.response, id: id, operation: operation, path: path, remoteAddress: remoteAddress,
                           auth: auth, status: status, error: error))
    }

    /// `GET /v1/sys/metrics?format=prometheus`: body and content type.
    public func prometheus() -> (body: String, contentType: String) {
        (metrics.prometheusText(), StrongroomMetrics.contentType)
    }
}
