import Foundation

/// `sys/health`: no token. Strongroom has no seal, so it is always initialized, unsealed, active —
/// while it can read its store: a node that has lost its database answers 503 (the code Vault
/// uses when it cannot serve), so a load balancer's health check takes it out until it recovers.
enum SysHealthPath {
    static let path = APIPath(
        "sys/health", scope: .system, unauthenticated: true, warnsOnUnknownFields: false,
        help: "Server health, as Vault reports it.",
        operations: [.read: { ctx in
            // One cheap read: a point query on the audit devices table (a handful of rows).
            do { _ = try await ctx.services.system.auditDevices() } catch {
                return APIResponse.errors(503, ["the storage backend is unavailable"])
            }
            let info = ctx.services.info
            let now = Int(ctx.services.clock().timeIntervalSince1970)
            return APIResponse(status: 200, body: .json([
                "initialized": true, "sealed": false, "standby": false, "performance_standby": false,
                "replication_performance_mode": "disabled", "replication_dr_mode": "disabled",
                "server_time_utc": .int(now), "version": .string(info.version),
                "enterprise": false, "cluster_name": .string(info.clusterName), "cluster_id": .string(info.clusterID),
                "echo_duration_ms": 0, "clock_skew_ms": 0, "replication_primary_canary_age_ms": 0,
            ]))
        }])
}
