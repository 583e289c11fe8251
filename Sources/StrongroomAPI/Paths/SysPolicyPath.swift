import Foundation
import VaultPolicy
import VaultFramework

/// `sys/policy/:name`: read (`rules`), write (`policy`, or the deprecated `rules`), delete.
/// Who may call: tokens granted `read`, `update` or `delete` on the path; `root` cannot be
/// written or deleted, `default` cannot be deleted.
enum SysPolicyPath {
    static let path = APIPath(
        "sys/policy/:name", scope: .system,
        fields: [
            FieldSchema("policy", .string, "The policy text, HCL or JSON (base64 accepted)."),
            FieldSchema("rules", .string, "Deprecated alias of policy."),
        ],
        help: "Read, write or delete an ACL policy.",
        operations: [
            .read: { ctx in
                let name = try PolicyWrite.normalizedName(ctx, .read)
                guard let text = try await ctx.services.policies.text(name) else { return .notFound }
                let data: [String: VaultValue] = ["name": .string(name), "rules": .string(text)]
                return .data(data, topLevel: data)
            },
            .write: { ctx in try await PolicyWrite.write(ctx, field: "policy", legacyField: "rules") },
            .delete: { ctx in try await PolicyWrite.delete(ctx) },
        ])
}

/// What `sys/policy/:name` and `sys/policies/acl/:name` share.
enum PolicyWrite {
    /// The policy name, trimmed and lower-cased as Vault stores it. When that changes it, the
    /// caller's policies must grant `capability` on the normalised path too: a token denied
    /// `sys/policy/default` must not reach it as `sys/policy/Default`.
    static func normalizedName(_ ctx: APIContext, _ capability: ACLCapability) throws -> String {
        let given = ctx.parameter("name")
        let name = PolicyStore.normalize(given)
        if name != given {
            let prefix = ctx.request.path.hasPrefix("sys/policies/acl/") ? "sys/policies/acl/" : "sys/policy/"
            guard ctx.allows(capability, path: prefix + name) else { throw APIError.policyDenied }
        }
        return name
    }

    static func write(_ ctx: APIContext, field: String, legacyField: String?) async throws -> APIResponse {
        let given = ctx.parameter("name")
        let name = try normalizedName(ctx, .update)
        var warnings: [String] = []
        var text = ctx.fields.string(field) ?? ""
        if text.isEmpty, let legacyField, let legacy = ctx.fields.string(legacyField), !legacy.isEmpty {
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
        try await ctx.services.policies.delete(try normalizedName(ctx, .delete))
        return .noContent
    }

    /// Vault accepts the text base64-encoded; a policy in HCL or JSON never decodes as base64
    /// (quotes, braces and spaces are outside its alphabet).
    static func decodedIfBase64(_ text: String) -> String {
        guard let data = Data(base64Encoded: text), let decoded = String(data: data, encoding: .utf8) else { return text }
        return decoded
    }
}
