import KMIPEngine

/// The engine's observer: a `kmip_request` audit entry before each batch item (a failing
/// fail-closed device refuses the item), and a `kmip_response` entry after it.
public struct KMIPAuditObserver: KMIPRequestObserver {
    public let audit: AuditBroker
    /// The KMIP mount's path (`kmip/`), written into every entry when several mounts share a log.
    public let mount: String?
    /// A scope id → name lookup (the mount's store), so entries name the scope as operators know it.
    public let scopeName: (@Sendable (String) async -> String?)?

    public init(audit: AuditBroker, mount: String? = nil, scopeName: (@Sendable (String) async -> String?)? = nil) {
        self.audit = audit
        self.mount = mount
        self.scopeName = scopeName
    }

    public func willExecute(_ event: KMIPRequestEvent) async throws {
        guard audit.isEnabled else { return }
        try await audit.log(.kmip(event, mount: mount, scopeName: await scopeName?(event.scopeID)))
    }

    public func didExecute(_ event: KMIPRequestEvent) async throws {
        guard audit.isEnabled else { return }
        try await audit.log(.kmip(event, mount: mount, scopeName: await scopeName?(event.scopeID)))
    }
}
