import Foundation
import X509

/// What `credential/generate` (with a private key) and `credential/sign` (without) return.
public struct ClientCredential: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let certificate: Certificate
    public let certificatePEM: String
    /// PKCS#8 PEM for a generated credential; nil for a signed CSR. Secret: shown to the caller once, never logged or stored.
    public let privateKeyPEM: String?
    /// Intermediate then root (Vault's `ca_chain`).
    public let caChain: [String]
    /// Decimal text of the 160-bit serial (Vault's `serial_number`).
    public let serialNumber: String

    public var description: String {
        "ClientCredential(subject: \(certificate.subject), serial: \(serialNumber), privateKey: \(privateKeyPEM == nil ? "none" : "<redacted>"))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["subject": certificate.subject, "serialNumber": serialNumber]) }
}

extension KMIPCA {
    /// Issues a client certificate `OU=<scopeID>, CN=<roleID>` with a fresh key of `keySpec`
    /// (KU DigitalSignature|KeyEncipherment|KeyAgreement critical, EKU clientAuth, SKI/AKI,
    /// random 160-bit serial, notBefore `now - 30 s`, notAfter `now + ttl`).
    public func issueClientCredential(
        scopeID: String,
        roleID: String,
        keySpec: KeySpec,
        ttl: TimeInterval,
        now: Date = Date()
    ) throws -> ClientCredential {
        let subject = try CertificateProfile.clientSubject(scopeID: scopeID, roleID: roleID)
        let key = try keySpec.generatePrivateKey()
        let certificate = try signLeaf(
            publicKey: key.publicKey, subject: subject, ttl: ttl, now: now, extensions: try Self.clientExtensions())
        return ClientCredential(
            certificate: certificate,
            certificatePEM: try certificate.serializeAsPEM().pemString,
            privateKeyPEM: try PrivateKeyEncoding.pkcs8PEM(key),
            caChain: caChain,
            serialNumber: SerialNumbers.decimal(certificate.serialNumber)
        )
    }
}
