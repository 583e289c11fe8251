import Foundation

/// `sys/policy/:name`: read (`rules`), write (`policy`, or the deprecated `rules`), delete.
/// Who may call: tokens granted `read`, `update` or `delete` on the path; `root` cannot be
/// written or deleted, `default` cannot be deleted.
enum SysPolicyPath {
    static let path = APIPath(
        "sys/policy/:name", scope: .system,
        fields: [
            APIField("policy", .string, "The policy text, HCL or JSON (base64 accepted)."),
            APIField("rules", .string, "Deprecated alias of policy."),
        ],
        help: "Read, write or delete an ACL policy.",
        operations: [
            .read: { ctx in
                let name = PolicyStore.normalize(ctx.parameter("name"))
                guard let text = try await ctx.services.policies.text(name) else { return .notFound }
                let data: [String: APIValue] = ["name": .string(name), "rules": .string(text)]
                return .data(data, topLevel: data)
            },
            .write: { ctx in try await PolicyWrite.write(ctx, field: "policy", legacyField: "rules") },
            .delete: { ctx in try await PolicyWrite.delete(ctx) },
        ])
}

/// What `sys/policy/:name` and `sys/policies/acl/:name` share.
enum PolicyWrite {
    static func write(_ ctx: APIContext, field: String, legacyField: String?) async throws -> APIResponse {
        let given = ctx.parameter("name")
        let name = PolicyStore.normalize(given)
        var warnings: [String] = []
        var text = ctx.string(field) ?? ""
        if text.isEmpty, let legacyField, let legacy = ctx.string(legacyField), !legacy.isEmpty {
            text = legacy
            warnings.append("'rules' is deprecated, please use 'policy' instead")
        }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.invalid("'policy' parameter not supplied or empty")
        }
        text = decodedIfBase64(text)
        try await ctx.services.policies.write(name, text: text)
        if name != given { warnings.append("policy name was converted to \(name)") }
        return APIResponse(status: 204, body: .none, warnings: warnings)
    }

    static func delete(_ ctx: APIContext) async throws -> APIResponse {
        try await ctx.services.policies.delete(PolicyStore.normalize(ctx.parameter("name")))
        return .noContent
    }

    /// Vault accepts the text base64-encoded; a policy in HCL or JSON never decodes as base64
    /// (quotes, braces and spaces are outside its alphabet).
    static func decodedIfBase64(_ text: String) -> String {
        guard let data = Data(base64Encoded: text), let decoded = String(data: data, encoding: .utf8) else { return text }
        return decoded
    }
}
