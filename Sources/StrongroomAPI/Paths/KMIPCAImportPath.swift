import KMIPEngine
import VaultFramework

/// `kmip/ca/:name/import` (Vault 2.0): an operator's CA that only verifies client certificates;
/// each maps to a scope and a role by a fixed name or a subject attribute.
enum KMIPCAImportPath {
    static let path = APIPath(
        "ca/:name/import", scope: .mount(type: "kmip"),
        fields: [FieldSchema("ca_pem", .string, "The CA certificate (PEM; a bundle of CA certificates is accepted).")]
            + KMIPCAPath.mappingFields,
        help: "Import a CA that verifies client certificates.",
        operations: [.write: { ctx in
            let engine = try ctx.requireMount()
            let name = ctx.parameter("name")
            let pem = ctx.fields.explicit.string("ca_pem")
            let mapping = KMIPCAPath.mapping(ctx.fields.explicit)
            try await ctx.services.mounts.change(engine) { mount, check in
                try await mount.importAuthority(name: name, pem: pem, mapping: mapping, check: check)
            }
            return try await KMIPCANamePath.read(ctx)
        }])
}
