import KMIPEngine
import VaultFramework

/// `kmip/ca`: GET reads the legacy CA chain (intermediate first; an error until `kmip/config` is
/// written); LIST names the named CAs (Vault 2.0), which the legacy CA is not among.
enum KMIPCAPath {
    static let path = APIPath(
        "ca", scope: .mount(type: "kmip"),
        help: "Read the mount's legacy CA chain (PEM, intermediate then root), or list its named CAs.",
        operations: [
            .read: { ctx in .data(["ca_pem": .string(try await ctx.requireMount().mount.caChainPEM())]) },
            .list: { ctx in KMIPPaths.keys(try await ctx.requireMount().mount.authorities().map(\.name)) },
        ])

    /// A named CA as Vault 2.0 reads it back, with Terraform's `ca_pem` beside Vault's
    /// `certificate` / `ca_chain` (reference vault-2-kmip-api.md §6): the issuing certificate first.
    static func fields(of authority: NamedAuthority, mount: KMIPMount) async throws -> [String: VaultValue] {
        let (pems, serial) = try await mount.authorityCertificates(authority)
        var out: [String: VaultValue] = [
            "name": .string(authority.name),
            "certificate": .string(pems[0]),
            "ca_chain": .list(pems.map(VaultValue.string)),
            "ca_pem": .string(pems.joined(separator: "\n") + "\n"),
            "serial_number": .string(serial),
            "imported": .bool(authority.isImported),
        ]
        switch authority.kind {
        case .generated(let generated):
            out["key_type"] = .string(generated.keyType.rawValue)
            out["key_bits"] = .int(generated.keyBits)
            out["ttl"] = .int(generated.ttl)
        case .imported(let imported):
            let m = imported.mapping
            out["scope_name"] = .string(m.scopeName ?? "")
            out["scope_field"] = .string(m.scopeField?.rawValue ?? "")
            out["role_name"] = .string(m.roleName ?? "")
            out["role_field"] = .string(m.roleField?.rawValue ?? "")
        }
        return out
    }

    static let mappingFields: [FieldSchema] = [
        FieldSchema("scope_name", .string, "The scope of every client certificate of this CA (or scope_field)."),
        FieldSchema("scope_field", .string, "The subject attribute naming the scope: CN, O, OU or UID (or scope_name)."),
        FieldSchema("role_name", .string, "The role of every client certificate of this CA (or role_field)."),
        FieldSchema("role_field", .string, "The subject attribute naming the role: CN, O, OU or UID (or role_name)."),
    ]

    static func mapping(_ given: FieldData) -> SubjectMappingUpdate {
        SubjectMappingUpdate(scopeName: given.string("scope_name"), scopeField: given.string("scope_field"),
                             roleName: given.string("role_name"), roleField: given.string("role_field"))
    }
}
