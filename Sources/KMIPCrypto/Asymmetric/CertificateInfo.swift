import COpenSSL
import KMIP

/// What the KMIP certificate attributes (KMIP 1.4 §3.9–3.16, §3.4–3.5) say about an X.509
/// certificate, read with OpenSSL so that every curve and algorithm it knows is covered.
public struct CertificateInfo: Sendable, Hashable {
    /// DER of the issuer and subject Names.
    public var issuerDER: [UInt8]
    public var subjectDER: [UInt8]
    /// RFC 2253 text of the issuer and subject (`CN=…,OU=…,O=…,C=US`).
    public var issuer: String
    public var subject: String
    /// The serial number as its DER INTEGER (tag and length included), as X.509 Certificate Identifier carries it.
    public var serialNumberDER: [UInt8]
    /// The serial number in upper-case hexadecimal, as Certificate Identifier (1.0) carries it.
    public var serialNumberHex: String
    /// Nil when KMIP has no value for the certificate's signature algorithm.
    public var digitalSignatureAlgorithm: DigitalSignatureAlgorithm?
    /// The subject public key's algorithm and length in bits; nil when KMIPCrypto cannot load the key.
    public var publicKeyAlgorithm: CryptographicAlgorithm?
    public var publicKeyLength: Int?

    /// Parses DER; anything else (or trailing bytes) is Invalid Field.
    public init(der: [UInt8]) throws {
        guard !der.isEmpty, der.count <= CryptoLimits.maxCertificateLength else {
            throw CryptoError.invalidField("a certificate of \(der.count) bytes")
        }
        let x509: OpaquePointer = try der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let cert = d2i_X509(nil, &cursor, buffer.count) else {
                OpenSSLErrors.clear()
                throw CryptoError.invalidField("the certificate is not DER-encoded X.509")
            }
            guard cursor == buffer.baseAddress! + buffer.count else {
                X509_free(cert)
                throw CryptoError.invalidField("the certificate has trailing bytes")
            }
            return cert
        }
        defer { X509_free(x509) }
        issuerDER = try Self.der(of: X509_get_issuer_name(x509))
        subjectDER = try Self.der(of: X509_get_subject_name(x509))
        issuer = try Self.text(of: X509_get_issuer_name(x509))
        subject = try Self.text(of: X509_get_subject_name(x509))
        (serialNumberDER, serialNumberHex) = try Self.serialNumber(x509)
        digitalSignatureAlgorithm = Self.signatureAlgorithms[X509_get_signature_nid(x509)]
        if let pkey = X509_get_pubkey(x509), let key = try? AsymmetricKey(owning: pkey) {
            publicKeyAlgorithm = key.kind.cryptographicAlgorithm
            publicKeyLength = key.bitLength
        } else {
            OpenSSLErrors.clear()
        }
    }

    static func der(of name: OpaquePointer?) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509_NAME(name, &out)
        guard length > 0, let out else { throw CryptoError.openSSL("i2d_X509_NAME") }
        defer { strongroom_OPENSSL_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    static func text(of name: OpaquePointer?) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError.openSSL("BIO_new") }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, strongroom_XN_FLAG_RFC2253()) >= 0 else {
            throw CryptoError.openSSL("X509_NAME_print_ex")
        }
        let pending = Int(BIO_ctrl_pending(bio))
        var bytes = [UInt8](repeating: 0, count: pending)
        let read = pending == 0 ? 0 : BIO_read(bio, &bytes, Int32(pending))
        return String(decoding: bytes.prefix(Int(max(read, 0))), as: UTF8.self)
    }

    static func serialNumber(_ x509: OpaquePointer) throws -> ([UInt8], String) {
        guard let serial = X509_get0_serialNumber(x509) else { throw CryptoError.openSSL("X509_get0_serialNumber") }
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_ASN1_INTEGER(serial, &out)
        guard length > 0, let out else { throw CryptoError.openSSL("i2d_ASN1_INTEGER") }
        defer { strongroom_OPENSSL_free(out) }
        let der = Array(UnsafeBufferPointer(start: out, count: Int(length)))
        guard let bn = ASN1_INTEGER_to_BN(serial, nil) else { throw CryptoError.openSSL("ASN1_INTEGER_to_BN") }
        defer { BN_free(bn) }
        guard let hex = BN_bn2hex(bn) else { throw CryptoError.openSSL("BN_bn2hex") }
        defer { strongroom_OPENSSL_free(hex) }
        return (der, String(cString: hex))
    }

    /// OpenSSL signature NIDs → KMIP Digital Signature Algorithm.
    static let signatureAlgorithms: [Int32: DigitalSignatureAlgorithm] = [
        NID_md2WithRSAEncryption: .md2WithRSAEncryptionPKCS1V15,
        NID_md5WithRSAEncryption: .md5WithRSAEncryptionPKCS1V15,
        NID_sha1WithRSAEncryption: .sha1WithRSAEncryptionPKCS1V15,
        NID_sha224WithRSAEncryption: .sha224WithRSAEncryptionPKCS1V15,
        NID_sha256WithRSAEncryption: .sha256WithRSAEncryptionPKCS1V15,
        NID_sha384WithRSAEncryption: .sha384WithRSAEncryptionPKCS1V15,
        NID_sha512WithRSAEncryption: .sha512WithRSAEncryptionPKCS1V15,
        NID_rsassaPss: .rsassaPSSPKCS1V21,
        NID_dsaWithSHA1: .dsaWithSHA1,
        NID_dsa_with_SHA224: .dsaWithSHA224,
        NID_dsa_with_SHA256: .dsaWithSHA256,
        NID_ecdsa_with_SHA1: .ecdsaWithSHA1,
        NID_ecdsa_with_SHA224: .ecdsaWithSHA224,
        NID_ecdsa_with_SHA256: .ecdsaWithSHA256,
        NID_ecdsa_with_SHA384: .ecdsaWithSHA384,
        NID_ecdsa_with_SHA512: .ecdsaWithSHA512,
        NID_RSA_SHA3_256: .sha3256WithRSAEncryption,
        NID_RSA_SHA3_384: .sha3384WithRSAEncryption,
        NID_RSA_SHA3_512: .sha3512WithRSAEncryption,
    ]
}
