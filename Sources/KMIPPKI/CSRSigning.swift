import Foundation
import X509

extension KMIPCA {
    /// Signs a PEM CSR as a client certificate. The CSR's self-signature must verify and its key
    /// must be exactly `requiredKeySpec` (the role's), else `.invalidCSR` / `.keyMismatch`. The
    /// subject becomes `OU=<scopeID>, CN=<roleID>` whatever the CSR asks; requested extensions are
    /// ignored (the client profile is applied). Returns no private key.
    public func signCSR(
        pem: String,
        scopeID: String,
        roleID: String,
        requiredKeySpec: KeySpec,
        ttl: TimeInterval,
        now: Date = Date()
    ) throws -> ClientCredential {
        let csr: CertificateSigningRequest
        do {
            csr = try CertificateSigningRequest(pemEncoded: pem)
        } catch {
            throw PKIError(.invalidCSR, "csr is not a valid PEM certificate signing request")
        }
        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else {
            throw PKIError(.invalidCSR, "csr signature does not verify with its own public key")
        }
        guard let presented = KeySpec(of: csr.publicKey) else {
            throw PKIError(.keyMismatch, "csr key type is not supported; the role requires \(requiredKeySpec)")
        }
        guard presented == requiredKeySpec else {
            throw PKIError(.keyMismatch, "csr key is \(presented) but the role requires \(requiredKeySpec)")
        }
        let subject = try CertificateProfile.clientSubject(scopeID: scopeID, roleID: roleID)
        let certificate = try signLeaf(
            publicKey: csr.publicKey, subject: subject, ttl: ttl, now: now, extensions: try Self.clientExtensions())
        return ClientCredential(
            certificate: certificate,
            certificatePEM: try certificate.serializeAsPEM().pemString,
            privateKeyPEM: nil,
            caChain: caChain,
            serialNumber: SerialNumbers.decimal(certificate.serialNumber)
        )
    }
}
