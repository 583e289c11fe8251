import KMIPEngine
import VaultFramework

/// `kmip/scope/:scope/role/:role/credential/sign`: sign a client's CSR (its key must match the role's
/// key type and bits; the subject becomes `OU=<scope id>, CN=<role id>`).
enum KMIPCredentialSignPath {
    static let path = APIPath(
        "scope/:scope/role/:role/credential/sign", scope: .mount(type: "kmip"),
        fields: [FieldSchema("csr", .string, "The PEM certificate signing request."), KMIPCredentialGeneratePath.formatField],
        help: "Sign a CSR for the role.",
        operations: [.write: { ctx in
            guard let csr = ctx.fields.string("csr"), !csr.isEmpty else { throw APIError.invalid("csr is required") }
            let format = try CredentialFormat(parsing: ctx.fields.string("format"))
            let credential = try await ctx.requireMount().mount.signCSR(
                scope: ctx.parameter("scope"), role: ctx.parameter("role"), csrPEM: csr)
            var formatted = FormattedCredential(credential, format: format)
            formatted.privateKey = nil
            return .data(KMIPCredentialGeneratePath.render(formatted))
        }])
}
