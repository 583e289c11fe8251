import Foundation
import X509

extension KMIPCA {
    /// Signs a leaf with the intermediate: random 160-bit serial, notBefore `now - 30 s`, notAfter
    /// `now + ttl` capped at the intermediate's notAfter, SKI of `publicKey`, AKI of the intermediate,
    /// plus `extensions`.
    func signLeaf(
        publicKey: Certificate.PublicKey,
        subject: DistinguishedName,
        ttl: TimeInterval,
        now: Date,
        extensions: Certificate.Extensions
    ) throws -> Certificate {
        guard ttl > 0, ttl.isFinite else { throw PKIError(.invalidParameter, "certificate TTL must be positive") }
        guard now < intermediate.notValidAfter else {
            throw PKIError(.notConfigured, "the mount's CA expired on \(intermediate.notValidAfter)")
        }
        var all = extensions
        try all.append(Certificate.Extension(SubjectKeyIdentifier(hash: publicKey), critical: false))
        if let aki = try intermediate.extensions.subjectKeyIdentifier {
            try all.append(Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: aki.keyIdentifier), critical: false))
        }
        return try Certificate(
            version: .v3,
            serialNumber: SerialNumbers.random(),
            publicKey: publicKey,
            notValidBefore: now - CertificateProfile.backdate,
            notValidAfter: min(now + ttl, intermediate.notValidAfter),
            issuer: intermediate.subject,
            subject: subject,
            extensions: all,
            issuerPrivateKey: intermediateKey
        )
    }

    /// The client leaf extensions: KU DigitalSignature|KeyEncipherment|KeyAgreement (critical), EKU clientAuth.
    static func clientExtensions() throws -> Certificate.Extensions {
        try Certificate.Extensions {
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true, keyAgreement: true))
            try ExtendedKeyUsage([.clientAuth])
        }
    }
}
