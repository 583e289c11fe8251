import VaultFramework
/// `kmip/scope/:scope/role/:role/credential/revoke`: unlist a certificate by `serial_number` xor
/// `certificate`; it fails every later handshake.
enum KMIPCredentialRevokePath {
    static let path = APIPath(
        "scope/:scope/role/:role/credential/revoke", scope: .mount(type: "kmip"),
        fields: [FieldSchema("serial_number", .string, "Decimal serial number of the certificate to revoke."),
                 FieldSchema("certificate", .string, "PEM of the certificate to revoke.")],
        help: "Revoke a client certificate of the role.",
        operations: [.write: { ctx in
            let serial = ctx.fields.string("serial_number").flatMap { $0.isEmpty ? nil : $0 }
            let certificate = ctx.fields.string("certificate").flatMap { $0.isEmpty ? nil : $0 }
            let mount = try ctx.requireMount().mount
            let scope = ctx.parameter("scope"), role = ctx.parameter("role")
            switch (serial, certificate) {
            case (let serial?, nil):
                try await mount.revokeCredential(serialNumber: serial, scope: scope, role: role)
            case (nil, let pem?):
                try await mount.revokeCredential(certificatePEM: pem, scope: scope, role: role)
            default:
                throw APIError.invalid("exactly one of serial_number or certificate must be provided")
            }
            return .noContent
        }])
}
