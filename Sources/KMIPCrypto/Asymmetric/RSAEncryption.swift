import COpenSSL
import KMIP

/// How RSA encryption pads the message.
public enum RSAEncryptionPadding: Sendable, Hashable, CustomStringConvertible {
    /// RSAES-OAEP (RFC 8017 §7.1). `digest` hashes the label, `mgf1` drives MGF1 (nil: the same as
    /// `digest`); each one of SHA-1, SHA-2 (incl. SHA-512/224, SHA-512/256) or SHA-3.
    case oaep(digest: HashingAlgorithm, mgf1: HashingAlgorithm? = nil, label: [UInt8] = [])
    /// RSAES-PKCS1-v1_5 (RFC 8017 §7.2).
    case pkcs1v15

    /// Whether the server may decrypt with this padding when it does not hand the plaintext back
    /// (key unwrapping: Register/Import of a wrapped key, Get with unwrapping, Key Wrapping Data).
    /// OAEP: yes. PKCS#1 v1.5: only where OpenSSL does implicit rejection (3.2 and later,
    /// `AsymmetricKey.pkcs1v15ImplicitRejection`). On OpenSSL 3.0 a bad PKCS#1 v1.5 padding is an
    /// error, and whether an unwrap succeeded or failed is visible to the requester: a
    /// Bleichenbacher padding oracle that decrypts any ciphertext for that key, one query at a time.
    public var isSafeForUnwrapping: Bool { isSafeForUnwrapping(implicitRejection: AsymmetricKey.pkcs1v15ImplicitRejection) }

    func isSafeForUnwrapping(implicitRejection: Bool) -> Bool {
        switch self {
        case .oaep: true
        case .pkcs1v15: implicitRejection
        }
    }

    /// The hash functions OAEP may use.
    public static let oaepDigests: Set<HashingAlgorithm> = [
        .sha1, .sha224, .sha256, .sha384, .sha512, .sha512224, .sha512256, .sha3224, .sha3256, .sha3384, .sha3512,
    ]

    public var description: String {
        switch self {
        case .oaep(let d, let m, let label): "OAEP(\(d), MGF1 \(m ?? d)\(label.isEmpty ? "" : ", label of \(label.count) bytes"))"
        case .pkcs1v15: "PKCS#1 v1.5"
        }
    }

    /// The longest message a key of `modulusBytes` bytes can encrypt with this padding (may be ≤ 0).
    func maximumMessageLength(modulusBytes k: Int) throws -> Int {
        switch self {
        case .oaep(let d, _, _): k - 2 * (try Self.oaepDigest(d)).size - 2
        case .pkcs1v15: k - 11
        }
    }

    static func oaepDigest(_ algorithm: HashingAlgorithm) throws -> DigestAlgorithm {
        guard oaepDigests.contains(algorithm) else { throw CryptoError.unsupported("OAEP with \(algorithm)") }
        return try DigestAlgorithm(algorithm)
    }

    /// The OpenSSL parameters of the padding.
    func params() throws -> OSSLParams {
        try OSSLParams { b in
            switch self {
            case .pkcs1v15:
                try b.utf8("pad-mode", "pkcs1")
            case .oaep(let d, let m, let label):
                try b.utf8("pad-mode", "oaep")
                try b.utf8("digest", Self.oaepDigest(d).openSSLName)
                try b.utf8("mgf1-digest", Self.oaepDigest(m ?? d).openSSLName)
                if !label.isEmpty { try b.octets("oaep-label", label) }
            }
        }
    }
}

extension AsymmetricKey {
    /// True when the OpenSSL in use (3.2 or later) answers a bad PKCS#1 v1.5 ciphertext with a
    /// pseudo-random message (implicit rejection) rather than an error.
    public static var pkcs1v15ImplicitRejection: Bool { OpenSSL_version_num() >= 0x3020_0000 }

    /// RSA encryption with the public key (of a private key too). A message longer than the
    /// padding allows fails with Invalid Field; a key that is not RSA with Invalid Field.
    public func encrypt(_ plaintext: [UInt8], padding: RSAEncryptionPadding) throws -> [UInt8] {
        guard kind == .rsa else { throw CryptoError.invalidField("RSA encryption needs an RSA key, not \(kind)") }
        let k = (bitLength + 7) / 8
        let maximum = try padding.maximumMessageLength(modulusBytes: k)
        guard maximum >= 0 else { throw CryptoError.invalidField("a \(bitLength)-bit key is too small for \(padding)") }
        guard plaintext.count <= maximum else {
            throw CryptoError.invalidField("\(padding) with a \(bitLength)-bit key encrypts at most \(maximum) bytes, not \(plaintext.count)")
        }
        let params = try padding.params()
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else { throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_pkey") }
        defer { EVP_PKEY_CTX_free(ctx) }
        try check(EVP_PKEY_encrypt_init_ex(ctx, params.params), "RSA encryption with \(padding)")
        var length = 0
        try check(EVP_PKEY_encrypt(ctx, nil, &length, plaintext, plaintext.count), "EVP_PKEY_encrypt")
        var out = [UInt8](repeating: 0, count: length)
        try check(EVP_PKEY_encrypt(ctx, &out, &length, plaintext, plaintext.count), "EVP_PKEY_encrypt")
        return Array(out[0..<length])
    }

    /// The one error of every ciphertext failure (length, range, padding, label), whatever the
    /// padding and whatever check failed.
    static let decryptionFailed = CryptoError(.cryptographicFailure, "decryption failed")

    /// RSA decryption with the private key, for KMIP Decrypt (the plaintext goes back to the
    /// requester). Any failure of the ciphertext (length, range, padding, label) is the same
    /// Cryptographic Failure "decryption failed" (`decryptionFailed`), for OAEP and PKCS#1 v1.5
    /// alike, whatever check failed; errors of use (a public or non-RSA key, an unsupported digest)
    /// are told apart, and do not depend on the ciphertext.
    ///
    /// PKCS#1 v1.5 decryption inherits OpenSSL's behaviour: 3.0 reports bad padding as an error
    /// (this error); from 3.2 OpenSSL answers a pseudo-random message instead (implicit rejection).
    /// On 3.0 that error is a Bleichenbacher padding oracle, and this is acceptable here only
    /// because the caller of Decrypt is authorised to decrypt with the key: it gets the plaintext
    /// of any ciphertext it likes directly, so the oracle teaches it nothing it could not ask for.
    /// Where the server decrypts without returning the plaintext — key unwrapping — the requester
    /// is not such a caller: use `unwrap(_:padding:)`, which refuses PKCS#1 v1.5 on OpenSSL 3.0.
    public func decrypt(_ ciphertext: [UInt8], padding: RSAEncryptionPadding) throws -> SecretBytes {
        guard kind == .rsa else { throw CryptoError.invalidField("RSA decryption needs an RSA key, not \(kind)") }
        guard isPrivate else { throw CryptoError.invalidField("RSA decryption needs the private key") }
        let params = try padding.params()
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else { throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_pkey") }
        defer { EVP_PKEY_CTX_free(ctx) }
        try check(EVP_PKEY_decrypt_init_ex(ctx, params.params), "RSA decryption with \(padding)")
        let k = (bitLength + 7) / 8
        // RFC 8017 §7.1.2 step 1 / §7.2.2 step 1: the ciphertext is exactly k bytes (public knowledge).
        guard ciphertext.count == k else { throw Self.decryptionFailed }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(k, 1), alignment: 16)
        defer {
            OPENSSL_cleanse(buffer.baseAddress, buffer.count)
            buffer.deallocate()
        }
        var length = buffer.count
        let rc = ciphertext.withUnsafeBufferPointer { c in
            EVP_PKEY_decrypt(ctx, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), &length, c.baseAddress, c.count)
        }
        // Cleared on success too: nothing of the padding check is left on the queue for a later
        // error message to show.
        OpenSSLErrors.clear()
        guard rc == 1, length <= buffer.count else { throw Self.decryptionFailed }
        return SecretBytes(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
    }

    /// RSA decryption of a wrapped key, for key unwrapping: the server uses the plaintext itself
    /// and the requester learns only whether the unwrap worked. Refuses, before looking at the
    /// ciphertext, every padding that is not `isSafeForUnwrapping` — PKCS#1 v1.5 unless OpenSSL
    /// does implicit rejection — with Feature Not Supported; otherwise the same as `decrypt`.
    public func unwrap(_ wrappedKey: [UInt8], padding: RSAEncryptionPadding) throws -> SecretBytes {
        try unwrap(wrappedKey, padding: padding, implicitRejection: Self.pkcs1v15ImplicitRejection)
    }

    /// `implicitRejection` stands for the OpenSSL in use (tests exercise both answers).
    func unwrap(_ wrappedKey: [UInt8], padding: RSAEncryptionPadding, implicitRejection: Bool) throws -> SecretBytes {
        guard padding.isSafeForUnwrapping(implicitRejection: implicitRejection) else {
            throw CryptoError(.featureNotSupported,
                              "key unwrapping with RSA \(padding) needs implicit rejection (OpenSSL 3.2 or later); use OAEP")
        }
        return try decrypt(wrappedKey, padding: padding)
    }
}
