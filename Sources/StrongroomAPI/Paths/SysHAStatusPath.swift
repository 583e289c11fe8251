import Foundation
import KMIP
import KMIPStore
import VaultFramework

/// `sys/ha-status`: the nodes sharing this server's database, in Vault's shape (`Nodes`, each with
/// `hostname`, `api_address`, `cluster_address`, `active_node`, `last_echo`, `version`). Every
/// Strongroom node is active (no standbys: each serves KMIP and the API), so `active_node` is true
/// for every node whose heartbeat is recent, and `last_echo` is its last heartbeat (RFC 3339).
/// Registered only with a cluster store (PostgreSQL).
/// Who may call: tokens with `read` on `sys/ha-status`.
public enum SysHAStatusPath {
    /// A node whose last heartbeat is older than this is listed as not active.
    public static let staleAfter: Int64 = 30

    public static func path(nodes: any NodeStore) -> APIPath {
        APIPath("sys/ha-status", scope: .system, help: "The nodes sharing this server's database and their last heartbeat.",
                operations: [.read: { (ctx: APIContext) async throws -> APIResponse in
                    let now = Int64(ctx.services.clock().timeIntervalSince1970)
                    let formatter = ISO8601DateFormatter()
                    let listed: [VaultValue] = try await nodes.nodes().map { node in
                        .object([
                            "hostname": .string(node.id),
                            "api_address": .string(node.apiAddress),
                            "cluster_address": "",
                            "active_node": .bool(now - node.lastHeartbeat.secondsSince1970 <= staleAfter),
                            "last_echo": .string(formatter.string(from: Date(timeIntervalSince1970: TimeInterval(node.lastHeartbeat.secondsSince1970)))),
                            "version": .string(node.version),
                        ])
                    }
                    // Vault answers with `Nodes` at the top level; `data` carries the same for clients that read it.
                    return APIResponse(status: 200, body: .json(["Nodes": .list(listed), "data": .object(["nodes": .list(listed)])]))
                }])
    }
}
