import VaultFramework
/// `LIST sys/policies/acl` (or GET `?list=true`): the ACL policy names, `root` last.
/// Who may call: tokens granted `list` on `sys/policies/acl/`.
enum SysPoliciesACLListPath {
    static let path = APIPath(
        "sys/policies/acl", scope: .system, help: "List the ACL policies.",
        operations: [.list: { ctx in
            .data(["keys": .list(try await ctx.services.policies.names().map(VaultValue.string))])
        }])
}
