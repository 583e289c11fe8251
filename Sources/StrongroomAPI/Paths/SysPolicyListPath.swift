import VaultFramework
/// `sys/policy` (GET or LIST): the ACL policy names, `root` last, as `keys` and `policies`.
/// Who may call: tokens granted `read` or `list` on `sys/policy`.
enum SysPolicyListPath {
    static let path = APIPath(
        "sys/policy", scope: .system, help: "List the ACL policies.",
        operations: [.read: list, .list: list])

    @Sendable static func list(_ ctx: APIContext) async throws -> APIResponse {
        let names = VaultValue.list(try await ctx.services.policies.names().map(VaultValue.string))
        let data: [String: VaultValue] = ["keys": names, "policies": names]
        return .data(data, topLevel: data)
    }
}
