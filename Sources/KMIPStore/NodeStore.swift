import KMIP

/// One server of a cluster sharing a database, as it last reported itself (`sys/ha-status`).
public struct NodeRecord: Sendable, Hashable {
    /// `node.id` of the config file (default: the host name).
    public var id: String
    /// Where this node's HTTP API answers (`http://host:port`).
    public var apiAddress: String
    /// `node.kmip_bind_host`, when set.
    public var kmipBindHost: String?
    public var version: String
    public var startedAt: DateTime
    public var lastHeartbeat: DateTime

    public init(id: String, apiAddress: String, kmipBindHost: String? = nil, version: String, startedAt: DateTime,
                lastHeartbeat: DateTime) {
        self.id = id; self.apiAddress = apiAddress; self.kmipBindHost = kmipBindHost; self.version = version
        self.startedAt = startedAt; self.lastHeartbeat = lastHeartbeat
    }
}

/// The nodes sharing one database and their heartbeats. Informational only: no access decision
/// reads it, so its rows carry no MAC.
public protocol NodeStore: Sendable {
    /// Creates or refreshes the node's row.
    func heartbeat(_ node: NodeRecord) async throws
    /// Sorted by id.
    func nodes() async throws -> [NodeRecord]
}

/// What other nodes sharing the database changed, as it commits.
public protocol ChangeFeed: Sendable {
    /// Calls `changed` with the table name of every committed change to the records nodes hold
    /// state about (mounts, config, ca_material, scopes, roles, credentials, tokens, policies,
    /// audit_devices), whichever node made it, until the calling task is cancelled. After every
    /// (re)connection it calls `changed("*")`: what changed while it was away is unknown.
    /// Reconnects by itself after losing the database.
    func followChanges(_ changed: @escaping @Sendable (String) async -> Void) async
}
