/// `sys/seal-status`: no token. `vault status` and Terraform's provider (version detection) read it;
/// Strongroom has no seal, so it answers unsealed.
enum SysSealStatusPath {
    static let path = APIPath(
        "sys/seal-status", scope: .system, unauthenticated: true, warnsOnUnknownFields: false,
        help: "Seal status, as Vault reports it.",
        operations: [.read: { ctx in
            let info = ctx.services.info
            return APIResponse(status: 200, body: .json([
                "type": "shamir", "initialized": true, "sealed": false, "t": 1, "n": 1, "progress": 0, "nonce": "",
                "version": .string(info.version), "build_date": "", "migration": false,
                "cluster_name": .string(info.clusterName), "cluster_id": .string(info.clusterID),
                "recovery_seal": false, "storage_type": "strongroom",
            ]))
        }])
}
