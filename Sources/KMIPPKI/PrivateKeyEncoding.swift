import Crypto
import _CryptoExtras
import SwiftASN1
import X509

/// PKCS#8 export and import of the private keys this target generates.
///
/// The returned `[UInt8]` holds raw key material: the caller encrypts it for storage at once and
/// overwrites the array (e.g. `withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }`)
/// when done. Never log it or put it into a description.
public enum PrivateKeyEncoding {
    /// PKCS#8 `PrivateKeyInfo` DER of an EC (P-256/384/521) or RSA key.
    public static func pkcs8DER(_ key: Certificate.PrivateKey) throws -> [UInt8] {
        try PEMDocument(pemString: pkcs8PEM(key)).derBytes
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) of an EC or RSA key.
    public static func pkcs8PEM(_ key: Certificate.PrivateKey) throws -> String {
        // swift-crypto's NIST keys serialise as PKCS#8; RSA needs the explicit PKCS#8 accessor
        // (its plain pemRepresentation is PKCS#1). Certificate.PrivateKey hides its backing, so
        // dispatch on the public key type.
        let pem = try key.serializeAsPEM()
        switch pem.discriminator {
        case "PRIVATE KEY":
            return pem.pemString
        case "RSA PRIVATE KEY":
            let rsa = try _RSA.Signing.PrivateKey(derRepresentation: pem.derBytes)
            return rsa.pkcs8PEMRepresentation
        default:
            throw PKIError(.invalidParameter, "private key of an unsupported kind (\(pem.discriminator))")
        }
    }

    /// Loads a key exported by ``pkcs8DER(_:)``.
    public static func privateKey(pkcs8DER der: [UInt8]) throws -> Certificate.PrivateKey {
        do {
            return try Certificate.PrivateKey(derBytes: der)
        } catch {
            throw PKIError(.invalidParameter, "private key is not a valid PKCS#8 EC or RSA key")
        }
    }
}
