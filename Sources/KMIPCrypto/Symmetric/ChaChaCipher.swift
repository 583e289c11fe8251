import COpenSSL
import KMIP

/// ChaCha20 and ChaCha20-Poly1305 (RFC 8439) for Encrypt and Decrypt with a 256-bit key: the KMIP
/// Cryptographic Algorithms ChaCha20 and ChaCha20Poly1305 (KMIP 1.4 and 2.x), one-shot.
///
/// - ChaCha20 is a stream cipher with no integrity: its IV/Counter/Nonce is a 12-byte nonce with a
///   32-bit block counter (RFC 8439) or an 8-byte nonce with a 64-bit counter (the original
///   design, which the OASIS CS-BC-M-CHACHA20 cases use); the counter starts at Initial Counter
///   Value (default 0). No additional data, no tag.
/// - ChaCha20-Poly1305 is an AEAD: a 12-byte nonce, optional additional data, a 16-byte tag
///   (Tag Length, when given, must be 16; Block Cipher Mode, when given, must be AEAD). A tag that
///   does not verify is Cryptographic Failure and no plaintext is returned.
///
/// A server-generated nonce (no IV in the request) is 12 random bytes. A nonce must never repeat
/// under one key; with random 12-byte nonces that bounds a key to about 2^32 messages.
public struct ChaChaCipher: Sendable, CustomStringConvertible {
    public let algorithm: CryptographicAlgorithm
    let key: SecretBytes
    let cipher: UnsafeSendable<OpaquePointer>
    /// The first block counter of ChaCha20.
    let initialCounter: UInt64

    public static let nonceLength = 12
    public static let tagLength = 16

    public var isAEAD: Bool { algorithm == .chaCha20Poly1305 }
    public var description: String { isAEAD ? "ChaCha20-Poly1305" : "ChaCha20" }

    /// - Throws: Invalid Field for a key that is not 32 bytes, or parameters these ciphers do not
    ///   take (a block cipher mode or padding, another tag length, a counter with the AEAD).
    public init(algorithm: CryptographicAlgorithm, key: SecretBytes, cryptographicParameters p: CryptographicParameters?) throws {
        guard algorithm == .chaCha20 || algorithm == .chaCha20Poly1305 else {
            throw CryptoError.unsupported("cryptographic algorithm \(algorithm) for ChaCha20")
        }
        self.algorithm = algorithm
        let name = algorithm == .chaCha20Poly1305 ? "ChaCha20-Poly1305" : "ChaCha20"
        guard key.count == 32 else { throw CryptoError.invalidField("a \(name) key is 32 bytes, not \(key.count)") }
        if let padding = p?.paddingMethod, padding != .none {
            throw CryptoError.invalidField("\(name) is a stream cipher: it takes padding None, not \(padding.name ?? "\(padding)")")
        }
        if algorithm == .chaCha20Poly1305 {
            if let mode = p?.blockCipherMode, mode != .aead {
                throw CryptoError.invalidField("ChaCha20-Poly1305 takes Block Cipher Mode AEAD, not \(mode.name ?? "\(mode)")")
            }
            if let tag = p?.tagLength, Int(tag) != Self.tagLength {
                throw CryptoError.invalidField("the ChaCha20-Poly1305 tag is 16 bytes, not \(tag)")
            }
            if p?.initialCounterValue != nil { throw CryptoError.invalidField("ChaCha20-Poly1305 takes no Initial Counter Value") }
            initialCounter = 0
        } else {
            if let mode = p?.blockCipherMode { throw CryptoError.invalidField("ChaCha20 takes no Block Cipher Mode (got \(mode.name ?? "\(mode)"))") }
            guard (p?.initialCounterValue ?? 0) >= 0 else { throw CryptoError.invalidField("Initial Counter Value must not be negative") }
            initialCounter = UInt64(p?.initialCounterValue ?? 0)
        }
        self.key = key
        cipher = try CipherCatalog.cipher(name)
    }

    /// A fresh random 12-byte nonce (what Encrypt returns when the request brings none).
    public func randomNonce() throws -> [UInt8] { try RNG.publicBytes(count: Self.nonceLength) }

    /// Encrypts in one call; ChaCha20-Poly1305 returns its tag.
    public func encrypt(_ plaintext: [UInt8], nonce: [UInt8], additionalData: [UInt8] = []) throws -> SymmetricOutput {
        try run(encrypt: true, plaintext, nonce: nonce, additionalData: additionalData, tag: nil)
    }

    /// Decrypts in one call; ChaCha20-Poly1305 needs `tag`, and returns nothing unless it verifies.
    public func decrypt(_ ciphertext: [UInt8], nonce: [UInt8], additionalData: [UInt8] = [], tag: [UInt8]? = nil) throws -> [UInt8] {
        try run(encrypt: false, ciphertext, nonce: nonce, additionalData: additionalData, tag: tag).data
    }

    /// OpenSSL's ChaCha20 IV: the 16 bytes of state words 12–15, the block counter (little-endian)
    /// then the nonce — a 32-bit counter before a 12-byte nonce, a 64-bit one before an 8-byte nonce.
    func openSSLIV(_ nonce: [UInt8]) throws -> [UInt8] {
        switch nonce.count {
        case 12:
            guard initialCounter <= UInt64(UInt32.max) else {
                throw CryptoError.invalidField("with a 12-byte nonce the ChaCha20 counter is 32 bits; \(initialCounter) does not fit")
            }
            return (0..<4).map { UInt8(truncatingIfNeeded: initialCounter >> (8 * $0)) } + nonce
        case 8:
            return (0..<8).map { UInt8(truncatingIfNeeded: initialCounter >> (8 * $0)) } + nonce
        default:
            throw CryptoError.invalidField("a ChaCha20 nonce is 12 bytes (or 8, with a 64-bit counter), not \(nonce.count)")
        }
    }

    private func run(encrypt: Bool, _ input: [UInt8], nonce: [UInt8], additionalData: [UInt8], tag: [UInt8]?) throws -> SymmetricOutput {
        guard input.count <= CryptoLimits.maxSymmetricUpdateLength else {
            throw CryptoError.invalidField("\(input.count) bytes is too much for one operation")
        }
        let iv: [UInt8]
        if isAEAD {
            guard nonce.count == Self.nonceLength else {
                throw CryptoError.invalidField("a ChaCha20-Poly1305 nonce is 12 bytes, not \(nonce.count)")
            }
            if !encrypt {
                guard let tag else { throw CryptoError.invalidField("ChaCha20-Poly1305 decryption needs the authentication tag") }
                guard tag.count == Self.tagLength else { throw CryptoError.invalidField("the ChaCha20-Poly1305 tag is 16 bytes, not \(tag.count)") }
            } else if tag != nil {
                throw CryptoError.invalidField("an authentication tag applies to decryption only")
            }
            iv = nonce
        } else {
            guard additionalData.isEmpty else { throw CryptoError.invalidField("ChaCha20 takes no additional data (ChaCha20-Poly1305 does)") }
            guard tag == nil else { throw CryptoError.invalidField("ChaCha20 has no authentication tag (ChaCha20-Poly1305 does)") }
            iv = try openSSLIV(nonce)
        }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        let enc: Int32 = encrypt ? 1 : 0
        try check(EVP_CipherInit_ex2(ctx, cipher.value, nil, nil, enc, nil), "EVP_CipherInit_ex2 \(self)")
        if isAEAD {
            try check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, Int32(iv.count), nil), "\(self): nonce length")
        }
        try key.withKeyPointer { k, _ in try check(EVP_CipherInit_ex2(ctx, nil, k, iv, enc, nil), "EVP_CipherInit_ex2 \(self) key") }
        var outputTag: [UInt8]?
        var failure: Error?
        let data = [UInt8](unsafeUninitializedCapacity: input.count + 16) { buffer, written in
            let out = buffer.baseAddress!
            do {
                var outl: Int32 = 0
                if !additionalData.isEmpty {
                    try check(EVP_CipherUpdate(ctx, nil, &outl, additionalData, Int32(additionalData.count)), "\(self): additional data")
                }
                var n = 0
                if !input.isEmpty {
                    try check(EVP_CipherUpdate(ctx, out, &outl, input, Int32(input.count)), "\(self): update")
                    n = Int(outl)
                }
                if var expected = tag {
                    try check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, Int32(expected.count), &expected), "\(self): expected tag")
                }
                var finl: Int32 = 0
                guard EVP_CipherFinal_ex(ctx, out + n, &finl) == 1 else {
                    guard isAEAD, !encrypt else { throw CryptoError.openSSL("\(self): final") }
                    OpenSSLErrors.clear()
                    throw CryptoError(.cryptographicFailure, "\(self): the authentication tag does not verify")
                }
                n += Int(finl)
                if isAEAD, encrypt {
                    var produced = [UInt8](repeating: 0, count: Self.tagLength)
                    try check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, Int32(Self.tagLength), &produced), "\(self): reading the tag")
                    outputTag = produced
                }
                written = n
            } catch {
                OPENSSL_cleanse(out, buffer.count)
                written = 0
                failure = error
            }
        }
        if let failure { throw failure }
        return SymmetricOutput(data: data, tag: outputTag)
    }
}
