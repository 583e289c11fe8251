import COpenSSL
import KMIP

/// AES key wrap with a key-encryption key of 16, 24 or 32 bytes, through OpenSSL's "AES-n-WRAP"
/// (RFC 3394, default IV A6A6A6A6A6A6A6A6) and "AES-n-WRAP-PAD" (RFC 5649). Immutable, `Sendable`.
public struct AESKeyWrap: Sendable, CustomStringConvertible {
    public enum Variant: String, Sendable, Hashable, CaseIterable {
        /// RFC 3394 (NIST SP 800-38F KW): the key is a multiple of 8 bytes, at least 16.
        case rfc3394 = "RFC 3394"
        /// RFC 5649 (NIST SP 800-38F KWP): any key of at least 1 byte.
        case rfc5649 = "RFC 5649"

        /// KMIP Block Cipher Mode NISTKeyWrap → RFC 3394, AESKeyWrapPadding → RFC 5649; any other
        /// mode fails with Cryptographic Failure.
        public init(_ mode: BlockCipherMode) throws {
            switch mode {
            case .nISTKeyWrap: self = .rfc3394
            case .aESKeyWrapPadding: self = .rfc5649
            default: throw CryptoError.unsupported("block cipher mode \(mode) for AES key wrap")
            }
        }

        public var blockCipherMode: BlockCipherMode { self == .rfc3394 ? .nISTKeyWrap : .aESKeyWrapPadding }
    }

    public let variant: Variant
    public let openSSLName: String
    let kek: SecretBytes
    let cipher: UnsafeSendable<OpaquePointer>

    public var description: String { "\(openSSLName) (\(variant.rawValue))" }

    /// - Throws: Invalid Field when the key-encryption key is not 16, 24 or 32 bytes.
    public init(keyEncryptionKey kek: SecretBytes, variant: Variant) throws {
        guard [16, 24, 32].contains(kek.count) else {
            throw CryptoError.invalidField("an AES key-encryption key is 16, 24 or 32 bytes, not \(kek.count)")
        }
        self.kek = kek
        self.variant = variant
        openSSLName = "AES-\(kek.count * 8)-\(variant == .rfc3394 ? "WRAP" : "WRAP-PAD")"
        cipher = try CipherCatalog.cipher(openSSLName)
    }

    /// Wraps `key`. RFC 3394 needs a multiple of 8 bytes, at least 16; RFC 5649 at least 1 byte;
    /// at most `CryptoLimits.maxWrappedKeyLength`; otherwise Invalid Field.
    public func wrap(_ key: SecretBytes) throws -> [UInt8] {
        switch variant {
        case .rfc3394:
            guard key.count >= 16, key.count % 8 == 0 else {
                throw CryptoError.invalidField("RFC 3394 wraps a multiple of 8 bytes, at least 16; got \(key.count)")
            }
        case .rfc5649:
            guard key.count >= 1 else { throw CryptoError.invalidField("RFC 5649 wraps at least 1 byte") }
        }
        guard key.count <= CryptoLimits.maxWrappedKeyLength else { throw CryptoError.invalidField("a key of \(key.count) bytes is too long to wrap") }
        let capacity = (key.count + 7) / 8 * 8 + 8 + 16
        return try key.withKeyPointer { input, count in
            try run(encrypt: true, input, count, capacity: capacity) { out, n in [UInt8](UnsafeBufferPointer(start: out, count: n)) }
        }
    }

    /// Unwraps `wrapped`; an integrity check that fails (wrong key-encryption key, tampered data,
    /// wrong variant) is Cryptographic Failure. Lengths that cannot be a wrapping are Invalid Field.
    public func unwrap(_ wrapped: [UInt8]) throws -> SecretBytes {
        let minimum = variant == .rfc3394 ? 24 : 16
        guard wrapped.count >= minimum, wrapped.count % 8 == 0, wrapped.count <= CryptoLimits.maxWrappedKeyLength + 16 else {
            throw CryptoError.invalidField("\(variant.rawValue) wrapped data is a multiple of 8 bytes, at least \(minimum); got \(wrapped.count)")
        }
        return try run(encrypt: false, wrapped, wrapped.count, capacity: wrapped.count + 16) { out, n in
            SecretBytes(UnsafeBufferPointer(start: out, count: n))
        }
    }

    /// One EVP pass into a scratch buffer that is wiped before it is freed; `result` copies out.
    private func run<R>(encrypt: Bool, _ input: UnsafePointer<UInt8>, _ count: Int, capacity: Int,
                        _ result: (UnsafePointer<UInt8>, Int) -> R) throws -> R {
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer {
            OPENSSL_cleanse(scratch, capacity)
            scratch.deallocate()
        }
        EVP_CIPHER_CTX_set_flags(ctx, Int32(EVP_CIPHER_CTX_FLAG_WRAP_ALLOW))
        let enc: Int32 = encrypt ? 1 : 0
        try kek.withKeyPointer { k, _ in
            try check(EVP_CipherInit_ex2(ctx, cipher.value, k, nil, enc, nil), "EVP_CipherInit_ex2 \(openSSLName)")
        }
        var outl: Int32 = 0
        var finl: Int32 = 0
        guard EVP_CipherUpdate(ctx, scratch, &outl, input, Int32(count)) == 1, outl >= 0,
              EVP_CipherFinal_ex(ctx, scratch.advanced(by: Int(outl)), &finl) == 1 else {
            if encrypt { throw CryptoError.openSSL("\(openSSLName) wrap") }
            OpenSSLErrors.clear()
            throw CryptoError(.cryptographicFailure, "\(openSSLName): unwrap failed its integrity check")
        }
        let total = Int(outl) + Int(finl)
        precondition(total <= capacity)
        return result(scratch, total)
    }
}
