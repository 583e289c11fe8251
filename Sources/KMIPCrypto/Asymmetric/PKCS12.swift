import COpenSSL

/// PKCS#12 (RFC 7292) files for KMIP's PKCS#12 Key Format Type (KMIP 1.4 §2.1.7, §3.29): a
/// private key with its certificate chain, under a password. Made with OpenSSL 3's defaults
/// (AES-256-CBC with PBKDF2 for the key and certificates, an HMAC-SHA-256 integrity check), read
/// in any form OpenSSL's default provider reads.
public enum PKCS12 {
    /// Largest PKCS#12 read: 1 MiB. Most certificates in one: 16.
    public static let maxLength = 1 << 20
    public static let maxCertificates = 16

    /// A PKCS#12 holding `key`, `certificates` (DER, the key's own first, then its chain) and the
    /// friendly name, encrypted under `password`.
    public static func make(key: AsymmetricKey, certificates: [[UInt8]], password: SecretBytes,
                            friendlyName: String?) throws -> SecretBytes {
        guard key.isPrivate else { throw CryptoError.invalidField("a PKCS#12 holds a private key") }
        guard certificates.count <= maxCertificates else {
            throw CryptoError.invalidField("a PKCS#12 holds at most \(maxCertificates) certificates")
        }
        let x509s = try certificates.map(decodeCertificate)
        defer { x509s.forEach { X509_free($0) } }
        guard let chain = OPENSSL_sk_new_null() else { throw CryptoError.openSSL("OPENSSL_sk_new_null") }
        defer { OPENSSL_sk_free(chain) }
        for x509 in x509s.dropFirst() {
            guard OPENSSL_sk_push(chain, UnsafeRawPointer(x509)) > 0 else { throw CryptoError.openSSL("OPENSSL_sk_push") }
        }
        let p12 = try withCString(password) { pass in
            PKCS12_create(pass, friendlyName, key.pkey, x509s.first, chain, 0, 0, 0, 0, 0)
        }
        guard let p12 else { throw CryptoError.openSSL("PKCS12_create") }
        defer { PKCS12_free(p12) }
        let length = i2d_PKCS12(p12, nil)
        guard length > 0 else { throw CryptoError.openSSL("i2d_PKCS12") }
        return try SecretBytes(count: Int(length)) { out in
            var cursor: UnsafeMutablePointer<UInt8>? = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
            guard i2d_PKCS12(p12, &cursor) == length else { throw CryptoError.openSSL("i2d_PKCS12") }
        }
    }

    /// The private key and the certificates (DER, the key's own first when there is one) of a
    /// PKCS#12. A wrong password, a failed integrity check or a file without a key is Invalid Field.
    public static func read(_ der: [UInt8], password: SecretBytes) throws -> (key: AsymmetricKey, certificates: [[UInt8]]) {
        guard !der.isEmpty, der.count <= maxLength else {
            throw CryptoError.invalidField("a PKCS#12 is 1 byte to \(maxLength) bytes")
        }
        guard let p12 = decoded(der, { d2i_PKCS12(nil, $0, $1) }) else {
            OpenSSLErrors.clear()
            throw CryptoError.invalidField("the Key Value is not a PKCS#12 (DER)")
        }
        defer { PKCS12_free(p12) }
        var pkey: OpaquePointer?
        var leaf: OpaquePointer?
        var chain: OpaquePointer?
        let parsed = try withCString(password) { pass in PKCS12_parse(p12, pass, &pkey, &leaf, &chain) }
        defer {
            if let leaf { X509_free(leaf) }
            if let chain { OPENSSL_sk_pop_free(chain) { X509_free(OpaquePointer($0)) } }
        }
        guard parsed == 1, let pkey else {
            if let pkey { EVP_PKEY_free(pkey) }
            OpenSSLErrors.clear()
            throw CryptoError.invalidField("the PKCS#12 does not open with the linked password, or holds no private key")
        }
        let key = try AsymmetricKey(owning: pkey)
        try key.validate()
        var certificates: [[UInt8]] = []
        if let leaf { certificates.append(try encodeCertificate(leaf)) }
        if let chain {
            let count = Int(OPENSSL_sk_num(chain))
            guard count + certificates.count <= maxCertificates else {
                throw CryptoError.invalidField("a PKCS#12 holds at most \(maxCertificates) certificates")
            }
            for i in 0..<count {
                guard let x509 = OPENSSL_sk_value(chain, Int32(i)) else { continue }
                certificates.append(try encodeCertificate(OpaquePointer(x509)))
            }
        }
        return (key, certificates)
    }

    static func decodeCertificate(_ der: [UInt8]) throws -> OpaquePointer {
        guard let x509 = decoded(der, { d2i_X509(nil, $0, $1) }) else {
            OpenSSLErrors.clear()
            throw CryptoError.invalidField("a linked certificate is not X.509 DER")
        }
        return x509
    }

    /// A DER structure read by an OpenSSL `d2i_` function.
    static func decoded(_ der: [UInt8], _ d2i: (UnsafeMutablePointer<UnsafePointer<UInt8>?>, Int) -> OpaquePointer?) -> OpaquePointer? {
        der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i(&cursor, buffer.count)
        }
    }

    static func encodeCertificate(_ x509: OpaquePointer) throws -> [UInt8] {
        let length = i2d_X509(x509, nil)
        guard length > 0 else { throw CryptoError.openSSL("i2d_X509") }
        var out = [UInt8](repeating: 0, count: Int(length))
        try out.withUnsafeMutableBufferPointer { buffer in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            guard i2d_X509(x509, &cursor) == length else { throw CryptoError.openSSL("i2d_X509") }
        }
        return out
    }

    /// The password as a NUL-terminated C string in a buffer wiped afterwards. PKCS#12 passwords
    /// are text: one with a NUL byte is refused.
    static func withCString<R>(_ password: SecretBytes, _ body: (UnsafePointer<CChar>) throws -> R) throws -> R {
        let count = password.count
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: count + 1)
        defer { OPENSSL_cleanse(buffer, count + 1); buffer.deallocate() }
        try password.withUnsafeBytes { bytes in
            guard !bytes.contains(0) else { throw CryptoError.invalidField("a PKCS#12 password holds no NUL byte") }
            for i in 0..<count { buffer[i] = CChar(bitPattern: bytes[i]) }
        }
        buffer[count] = 0
        return try body(buffer)
    }
}
