import Foundation
import KMIPEngine
import Logging
import Metrics

/// What the composition root builds once and hands out: the audit devices, the engine's observer
/// (``kmip(mount:scopeName:)``) and the two calls the HTTP API's request observer makes. Metrics
/// are not here: every component records its own through swift-metrics.
public final class Observability: Sendable {
    public let audit: AuditBroker

    public init(logger: Logger = Logger(label: "strongroom.audit"), metrics: any MetricsFactory = MetricsSystem.factory,
                auditRules: AuditRules = AuditRules()) {
        self.audit = AuditBroker(logger: logger, metrics: metrics, rules: auditRules)
    }

    /// Pass to `KMIPEngine(…, observer:)`, naming the mount (`kmip/`) in each entry: one per mount's engine.
    public func kmip(mount: String, scopeName: (@Sendable (String) async -> String?)? = nil) -> KMIPAuditObserver {
        KMIPAuditObserver(audit: audit, mount: mount, scopeName: scopeName)
    }

    /// Audits an API request before it runs. Throws ``AuditError`` (kind `unavailable`) when a
    /// fail-closed device cannot write: the API must then refuse the request (Vault answers 500).
    /// Pass no request body: the entry has no place for one.
    public func logAPIRequest(id: String, operation: String, path: String, remoteAddress: String?,
                              auth: AuditEntry.Auth?) async throws(AuditError) {
        guard audit.isEnabled else { return }
        try await audit.log(.api(.request, id: id, operation: operation, path: path, remoteAddress: remoteAddress, auth: auth))
    }

    /// Audits an API response. `error` is the text of Vault's `errors` array, if any — never a
    /// response body.
    public func logAPIResponse(id: String, operation: String, path: String, remoteAddress: String?,
                               auth: AuditEntry.Auth?, status: Int, error: String?) async throws(AuditError) {
        guard audit.isEnabled else { return }
        try await audit.log(.api(.response, id: id, operation: operation, path: path, remoteAddress: remoteAddress,
                           auth: auth, status: status, error: error))
    }
}
