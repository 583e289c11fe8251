import KMIP
import KMIPCrypto

extension KMIPEngine {
    /// The attributes a server derives from a registered Certificate (KMIP 1.4 §3.4–3.5,
    /// §3.9–3.16): its type and length, issuer, subject and identifier in both the X.509 (1.1+)
    /// and the deprecated 1.0 forms, the signature algorithm, and the public key's algorithm and
    /// length. Responses leave out what the request's version does not define. An X.509 value
    /// that does not parse is Invalid Field.
    static func certificateAttributes(_ certificate: Certificate) throws -> [Attribute] {
        var attributes = [
            Attribute(certificate.certificateType),
            Attribute(name: "Certificate Length", value: .integer(Int32(clamping: certificate.certificateValue.bytes.count))),
        ]
        guard certificate.certificateType == .x509 else { return attributes }
        let info: CertificateInfo
        do { info = try CertificateInfo(der: certificate.certificateValue.bytes) } catch let error as CryptoError {
            throw KMIPError(.invalidField, "the X.509 certificate does not parse: \(error.message)")
        }
        var x509Identifier = X509CertificateIdentifier()
        x509Identifier.issuerDistinguishedName = ByteString(info.issuerDER)
        x509Identifier.certificateSerialNumber = ByteString(info.serialNumberDER)
        var x509Subject = X509CertificateSubject()
        x509Subject.subjectDistinguishedName = ByteString(info.subjectDER)
        var x509Issuer = X509CertificateIssuer()
        x509Issuer.issuerDistinguishedName = ByteString(info.issuerDER)
        var identifier = CertificateIdentifier()
        identifier.issuer = info.issuer
        identifier.serialNumber = info.serialNumberHex
        var subject = CertificateSubject()
        subject.certificateSubjectDistinguishedName = info.subject
        var issuer = CertificateIssuer()
        issuer.certificateIssuerDistinguishedName = info.issuer
        attributes += [Attribute(x509Identifier), Attribute(x509Subject), Attribute(x509Issuer),
                       Attribute(identifier), Attribute(subject), Attribute(issuer)]
        if let algorithm = info.digitalSignatureAlgorithm { attributes.append(Attribute(algorithm)) }
        if let algorithm = info.publicKeyAlgorithm { attributes.append(Attribute(algorithm)) }
        if let length = info.publicKeyLength {
            attributes.append(Attribute(name: AttributeName.cryptographicLength, value: .integer(Int32(clamping: length))))
        }
        return attributes
    }
}
