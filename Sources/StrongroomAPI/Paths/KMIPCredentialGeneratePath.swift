import KMIPEngine
import VaultFramework

/// `kmip/scope/:scope/role/:role/credential/generate`: a new client certificate and private key.
/// The key is in this response only; it is never stored.
enum KMIPCredentialGeneratePath {
    static let formatField = FieldSchema("format", .string, default: "pem", "Output format: pem, pem_bundle or der.")

    static let path = APIPath(
        "scope/:scope/role/:role/credential/generate", scope: .mount(type: "kmip"), fields: [formatField],
        help: "Generate a client certificate and private key for the role.",
        operations: [.write: { ctx in
            let format = try CredentialFormat(parsing: ctx.fields.string("format"))
            let credential = try await ctx.requireMount().mount.generateCredential(
                scope: ctx.parameter("scope"), role: ctx.parameter("role"))
            return .data(KMIPCredentialGeneratePath.render(FormattedCredential(credential, format: format)))
        }])

    /// Vault's credential fields: `ca_chain`, `certificate`, `serial_number` and, at issue only, `private_key`.
    static func render(_ c: FormattedCredential) -> [String: VaultValue] {
        var out: [String: VaultValue] = [
            "ca_chain": .list(c.caChain.map(VaultValue.string)),
            "certificate": .string(c.certificate),
            "serial_number": .string(c.serialNumber),
        ]
        if let key = c.privateKey { out["private_key"] = .string(key) }
        return out
    }
}
