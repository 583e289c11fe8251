import KMIPEngine

/// The engine's observer: a `kmip_request` audit entry before each batch item (a failing
/// fail-closed device refuses the item), a `kmip_response` entry and the metrics after it.
public struct KMIPAuditObserver: KMIPRequestObserver {
    public let audit: AuditBroker
    public let metrics: StrongroomMetrics?
    /// The KMIP mount's path (`kmip/`), written into every entry when several mounts share a log.
    public let mount: String?
    /// A scope id → name lookup (the mount's store), so entries name the scope as operators know it.
    public let scopeName: (@Sendable (String) async -> String?)?

    public init(audit: AuditBroker, metrics: StrongroomMetrics?, mount: String? = nil,
                scopeName: (@Sendable (String) async -> String?)? = nil) {
        self.audit = audit
        self.metrics = metrics
        self.mount = mount
        self.scopeName = scopeName
    }

    public func willExecute(_ event: KMIPRequestEvent) async throws {
        guard audit.isEnabled else { return }
        try await audit.log(.kmip(event, mount: mount, scopeName: await scopeName?(event.scopeID)))
    }

    public func didExecute(_ event: KMIPRequestEvent) async throws {
        if let metrics, let status = event.resultStatus {
            metrics.recordKMIP(operation: event.operation, status: status, reason: event.resultReason, duration: event.duration)
        }
        guard audit.isEnabled else { return }
        try await audit.log(.kmip(event, mount: mount, scopeName: await scopeName?(event.scopeID)))
    }
}
