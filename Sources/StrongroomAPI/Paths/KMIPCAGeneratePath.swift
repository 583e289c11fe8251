import KMIPEngine
import VaultFramework

/// `kmip/ca/:name/generate` (Vault 2.0): a CA whose keys the mount holds; it signs named
/// listeners' server certificates and the client certificates of roles that name it.
enum KMIPCAGeneratePath {
    static let path = APIPath(
        "ca/:name/generate", scope: .mount(type: "kmip"),
        fields: [
            FieldSchema("key_type", .string, "Key type: ec or rsa (required)."),
            FieldSchema("key_bits", .int, "Key size: EC 256, 384, 521; RSA 2048, 3072, 4096 (required)."),
            FieldSchema("ttl", .durationSecond, "Lifetime of the CA certificates (default 365d)."),
        ],
        help: "Generate a named CA.",
        operations: [.write: { ctx in
            let engine = try ctx.requireMount()
            let name = ctx.parameter("name")
            let given = ctx.fields.explicit
            let (keyType, keyBits, ttl) = (given.string("key_type"), given.int("key_bits"), given.duration("ttl"))
            try await ctx.services.mounts.change(engine) { mount, check in
                try await mount.generateAuthority(name: name, keyType: keyType, keyBits: keyBits, ttl: ttl, check: check)
            }
            return try await KMIPCANamePath.read(ctx)
        }])
}
