import KMIPPKI
import KMIPEngine
import VaultFramework

/// `kmip/scope/:scope/role/:role/credential/lookup?serial_number=`: a listed certificate (never a key).
enum KMIPCredentialLookupPath {
    static let path = APIPath(
        "scope/:scope/role/:role/credential/lookup", scope: .mount(type: "kmip"),
        fields: [FieldSchema("serial_number", .string, "Decimal serial number of the certificate."),
                 KMIPCredentialGeneratePath.formatField],
        help: "Read a client certificate of the role by serial number.",
        operations: [.read: { ctx in
            guard let serial = ctx.fields.string("serial_number"), !serial.isEmpty else {
                throw APIError.invalid("serial_number is required")
            }
            let format = try CredentialFormat(parsing: ctx.fields.string("format"))
            let mount = try ctx.requireMount().mount
            let record = try await mount.credential(scope: ctx.parameter("scope"), role: ctx.parameter("role"), serialNumber: serial)
            let chain = try await mount.ca().caChain
            let formatted = FormattedCredential(
                certificatePEM: Self.pem(record.certificateDER), privateKeyPEM: nil, caChain: chain,
                serialNumber: record.serialNumber, format: format)
            return .data(KMIPCredentialGeneratePath.render(formatted))
        }])

    /// PEM without the final newline, as generate and sign return certificates.
    static func pem(_ der: [UInt8]) -> String {
        var text = MountPEM.encode(der)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
