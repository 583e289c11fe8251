import VaultFramework
/// `sys/policies/acl/:name`: read (`policy`), write (`policy`), delete — what the `policy`
/// commands of Vault's CLI and of `strongroom` use. Who may call: tokens granted `read`,
/// `update` or `delete` on the path.
enum SysPoliciesACLPath {
    static let path = APIPath(
        "sys/policies/acl/:name", scope: .system,
        fields: [FieldSchema("policy", .string, "The policy text, HCL or JSON (base64 accepted).")],
        help: "Read, write or delete an ACL policy.",
        operations: [
            .read: { ctx in
                let name = try PolicyWrite.normalizedName(ctx, .read)
                guard let text = try await ctx.services.policies.text(name) else { return .notFound }
                return .data(["name": .string(name), "policy": .string(text)])
            },
            .write: { ctx in try await PolicyWrite.write(ctx, field: "policy", legacyField: nil) },
            .delete: { ctx in try await PolicyWrite.delete(ctx) },
        ])
}
