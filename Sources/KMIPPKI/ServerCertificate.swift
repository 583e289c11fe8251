import Foundation
import SwiftASN1
import X509

/// The listener's certificate and key (PEM), issued by the intermediate.
public struct ServerCredential: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let certificate: Certificate
    public let certificatePEM: String
    /// PKCS#8 PEM. Secret: never logged; the caller hands it to the TLS stack and drops it.
    public let privateKeyPEM: String
    /// Intermediate then root.
    public let caChain: [String]

    public var description: String { "ServerCredential(subject: \(certificate.subject), privateKey: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["subject": certificate.subject]) }
}

extension KMIPCA {
    /// Issues the listener's certificate: CN = first of `hostnames`, SAN DNS = `hostnames`,
    /// SAN IP = `ips` + 127.0.0.1 + ::1 (deduplicated by address bytes), EKU serverAuth,
    /// KU DigitalSignature|KeyEncipherment (critical). The key is `keySpec`, default the CA's.
    /// Validity: the CA's remaining lifetime unless `ttl` is given.
    public func issueServerCertificate(
        hostnames: [String],
        ips: [String] = [],
        keySpec: KeySpec? = nil,
        ttl: TimeInterval? = nil,
        now: Date = Date()
    ) throws -> ServerCredential {
        let names = hostnames.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let commonName = names.first else {
            throw PKIError(.invalidParameter, "server_hostnames must hold at least one name")
        }
        var dnsNames: [String] = []
        for name in names where !dnsNames.contains(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) {
            dnsNames.append(name)
        }
        var ipBytes: [[UInt8]] = []
        for text in ips.map({ $0.trimmingCharacters(in: .whitespaces) }).filter({ !$0.isEmpty }) + ["127.0.0.1", "::1"] {
            guard let bytes = IPAddressBytes.parse(text) else {
                throw PKIError(.invalidParameter, "server_ips entry \"\(text)\" is not an IP address")
            }
            if !ipBytes.contains(bytes) { ipBytes.append(bytes) }
        }
        let san = SubjectAlternativeNames(
            dnsNames.map { GeneralName.dnsName($0) } + ipBytes.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: $0[...])) }
        )
        let spec = try keySpec ?? self.keySpec ?? KeySpec.defaultEC
        let key = try spec.generatePrivateKey()
        let extensions = try Certificate.Extensions {
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
            try ExtendedKeyUsage([.serverAuth])
            san
        }
        let certificate = try signLeaf(
            publicKey: key.publicKey,
            subject: try DistinguishedName { CommonName(commonName) },
            ttl: ttl ?? intermediate.notValidAfter.timeIntervalSince(now),
            now: now,
            extensions: extensions
        )
        return ServerCredential(
            certificate: certificate,
            certificatePEM: try certificate.serializeAsPEM().pemString,
            privateKeyPEM: try PrivateKeyEncoding.pkcs8PEM(key),
            caChain: caChain
        )
    }
}
