import Foundation

/// `sys/health`: no token. Strongroom has no seal, so it is always initialized, unsealed, active.
enum SysHealthPath {
    static let path = APIPath(
        "sys/health", scope: .system, unauthenticated: true, warnsOnUnknownFields: false,
        help: "Server health, as Vault reports it.",
        operations: [.read: { ctx in
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
