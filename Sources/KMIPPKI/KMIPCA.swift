import Foundation
import SwiftASN1
import X509

/// The mount's internal CA: a self-signed root and the intermediate that signs every leaf.
///
/// A value type; the private keys stay inside and are only exported through
/// ``exportRootKeyPKCS8()`` / ``exportIntermediateKeyPKCS8()`` for encrypted storage.
/// Its description names the subjects only.
public struct KMIPCA: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let root: Certificate
    public let intermediate: Certificate
    let rootKey: Certificate.PrivateKey
    let intermediateKey: Certificate.PrivateKey

    /// Generates root `CN=strongroom-kmip-default` (pathlen 10) and intermediate
    /// `CN=strongroom-kmip-default-intermediate` (pathlen 9), valid from `now - 30 s` for 3650 days,
    /// both keys of `keySpec`. A named CA passes its own `commonName` (the intermediate's is it plus
    /// `-intermediate`) and `validity`. RSA generation is slow: call off the event loop.
    public static func generate(keySpec: KeySpec = .defaultEC, now: Date = Date(),
                                commonName: String = CertificateProfile.rootCommonName,
                                validity: TimeInterval = CertificateProfile.caValidity) throws -> KMIPCA {
        guard validity > 0 else { throw PKIError(.invalidParameter, "the CA lifetime must be positive") }
        let rootKey = try keySpec.generatePrivateKey()
        let intermediateKey = try keySpec.generatePrivateKey()
        let notBefore = now - CertificateProfile.backdate
        let notAfter = now + validity
        let rootName = try DistinguishedName { CommonName(commonName) }
        let intermediateName = try DistinguishedName { CommonName(commonName + "-intermediate") }

        let rootSKI = SubjectKeyIdentifier(hash: rootKey.publicKey)
        let root = try Certificate(
            version: .v3,
            serialNumber: SerialNumbers.random(),
            publicKey: rootKey.publicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: rootName,
            subject: rootName,
            extensions: try caExtensions(pathLength: CertificateProfile.rootPathLength, ski: rootSKI, aki: rootSKI),
            issuerPrivateKey: rootKey
        )
        let intermediate = try Certificate(
            version: .v3,
            serialNumber: SerialNumbers.random(),
            publicKey: intermediateKey.publicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: rootName,
            subject: intermediateName,
            extensions: try caExtensions(
                pathLength: CertificateProfile.intermediatePathLength,
                ski: SubjectKeyIdentifier(hash: intermediateKey.publicKey),
                aki: rootSKI
            ),
            issuerPrivateKey: rootKey
        )
        return KMIPCA(root: root, intermediate: intermediate, rootKey: rootKey, intermediateKey: intermediateKey)
    }

    static func caExtensions(pathLength: Int, ski: SubjectKeyIdentifier, aki: SubjectKeyIdentifier) throws
        -> Certificate.Extensions
    {
        try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: pathLength))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            ski
            AuthorityKeyIdentifier(keyIdentifier: aki.keyIdentifier)
        }
    }

    init(root: Certificate, intermediate: Certificate, rootKey: Certificate.PrivateKey, intermediateKey: Certificate.PrivateKey) {
        self.root = root
        self.intermediate = intermediate
        self.rootKey = rootKey
        self.intermediateKey = intermediateKey
    }

    /// Reloads a stored CA. Checks that each key belongs to its certificate and that the root signed
    /// the intermediate.
    public init(rootCertificateDER: [UInt8], rootKeyPKCS8: [UInt8], intermediateCertificateDER: [UInt8], intermediateKeyPKCS8: [UInt8]) throws {
        let root: Certificate
        let intermediate: Certificate
        do {
            root = try Certificate(derEncoded: rootCertificateDER)
            intermediate = try Certificate(derEncoded: intermediateCertificateDER)
        } catch {
            throw PKIError(.invalidParameter, "stored CA certificate is not valid DER: \(error)")
        }
        let rootKey = try PrivateKeyEncoding.privateKey(pkcs8DER: rootKeyPKCS8)
        let intermediateKey = try PrivateKeyEncoding.privateKey(pkcs8DER: intermediateKeyPKCS8)
        guard rootKey.publicKey == root.publicKey else {
            throw PKIError(.keyMismatch, "stored root key does not match the root certificate")
        }
        guard intermediateKey.publicKey == intermediate.publicKey else {
            throw PKIError(.keyMismatch, "stored intermediate key does not match the intermediate certificate")
        }
        guard root.publicKey.isValidSignature(intermediate.signature, for: intermediate) else {
            throw PKIError(.invalidParameter, "stored intermediate certificate is not signed by the stored root")
        }
        self.init(root: root, intermediate: intermediate, rootKey: rootKey, intermediateKey: intermediateKey)
    }

    /// The CA's key spec (both keys share it).
    public var keySpec: KeySpec? { KeySpec(of: root.publicKey) }

    public var rootPEM: String { (try? root.serializeAsPEM().pemString) ?? "" }
    public var intermediatePEM: String { (try? intermediate.serializeAsPEM().pemString) ?? "" }
    /// Intermediate then root, as Vault's `ca_chain`.
    public var caChain: [String] { [intermediatePEM, rootPEM] }
    /// Intermediate then root in one string, as Vault's `ca_pem` (`GET /kmip/ca`).
    public var caChainPEM: String { caChain.joined(separator: "\n") + "\n" }

    public func rootCertificateDER() throws -> [UInt8] { try Self.der(root) }
    public func intermediateCertificateDER() throws -> [UInt8] { try Self.der(intermediate) }

    static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// PKCS#8 DER of the root key. The caller encrypts it, then zeroes the array; never log it.
    public func exportRootKeyPKCS8() throws -> [UInt8] { try PrivateKeyEncoding.pkcs8DER(rootKey) }
    /// PKCS#8 DER of the intermediate key. The caller encrypts it, then zeroes the array; never log it.
    public func exportIntermediateKeyPKCS8() throws -> [UInt8] { try PrivateKeyEncoding.pkcs8DER(intermediateKey) }

    public var description: String { "KMIPCA(root: \(root.subject), intermediate: \(intermediate.subject), keys: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["root": root.subject, "intermediate": intermediate.subject]) }
}
