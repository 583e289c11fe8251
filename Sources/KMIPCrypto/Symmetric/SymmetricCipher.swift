import COpenSSL
import KMIP

/// The output of an encryption (or of finishing a stream): the data, and for GCM encryption the
/// authentication tag.
public struct SymmetricOutput: Sendable, Hashable {
    public var data: [UInt8]
    /// The GCM tag (`SymmetricParameters.tagLength` bytes) after encryption; nil otherwise.
    public var tag: [UInt8]?

    public init(data: [UInt8], tag: [UInt8]? = nil) {
        self.data = data
        self.tag = tag
    }
}

/// A symmetric key ready for Encrypt/Decrypt: AES-128/192/256 or 3DES with a mode, padding and
/// (GCM) tag length. Immutable and `Sendable`, and safe to use from many threads at once.
///
/// One-shot `encrypt`/`decrypt` reuse keyed OpenSSL contexts (see `KeyedContextPool`): the key
/// schedule is computed once per context, and each operation only sets its IV. Keep one
/// `SymmetricCipher` per key to benefit. Streaming contexts have OpenSSL contexts of their own.
///
/// Keys:
/// - AES: 16, 24 or 32 bytes → AES-128/192/256.
/// - 3DES: 24 bytes (three-key, K1‖K2‖K3, KMIP length 168) or 16 bytes (two-key, K1‖K2, KMIP
///   length 112, run as K1‖K2‖K1, which is the same cipher). Parity bits are ignored, as OpenSSL does;
///   keys with K1 = K2 or K2 = K3 (single DES in disguise) are refused with Invalid Field.
///   3DES offers ECB, CBC, CFB (CFB64) and OFB; CTR and GCM are AES only.
///
/// IVs (checked for every operation; a wrong or missing IV fails with Invalid Field, never defaulted):
/// - ECB: none (an IV given is refused).
/// - CBC, CFB, OFB: exactly one block (16 bytes AES, 8 bytes 3DES).
/// - CTR: exactly 16 bytes, the initial counter block.
/// - GCM: 1…`CryptoLimits.maxGCMNonceLength` bytes; 12 is the default and the recommended length.
///   A nonce the server generates (`randomIV()`, KMIP Random IV) is at least 12 bytes.
///
/// GCM tag lengths (bytes): 16, 15, 14, 13 or 12, and 8 or 4, the lengths SP 800-38D §5.2.1.2
/// allows. 8 and 4 are for special uses only (SP 800-38D Appendix C bounds the data and the
/// number of failed verifications per key); they are kept for clients that agreed on them.
///
/// Additional data is for GCM only. Results never include plaintext whose GCM tag did not verify.
public struct SymmetricCipher: Sendable, CustomStringConvertible {
    public let algorithm: CryptographicAlgorithm
    /// Key length in bits as KMIP's Cryptographic Length counts it: 128/192/256 for AES, 112 or 168 for 3DES.
    public let keyLength: Int
    public let parameters: SymmetricParameters
    /// OpenSSL's cipher name ("AES-256-GCM", "DES-EDE3-CBC"…).
    public let openSSLName: String
    /// The key as OpenSSL takes it (two-key 3DES expanded to K1‖K2‖K1).
    let key: SecretBytes
    let cipher: UnsafeSendable<OpaquePointer>
    /// Keyed OpenSSL contexts for one-shot operations, shared by the copies of this value.
    let contexts = KeyedContextPool()

    /// The default (and recommended) GCM nonce length, in bytes.
    public static let defaultGCMNonceLength = 12
    /// Allowed GCM tag lengths, in bytes (SP 800-38D §5.2.1.2): 12…16, and 8 and 4 for special
    /// uses (SP 800-38D Appendix C).
    public static let gcmTagLengths: Set<Int> = [16, 15, 14, 13, 12, 8, 4]

    public var description: String { "\(openSSLName)\(parameters.mode.allowsPadding ? "/\(parameters.padding)" : "")" }

    /// 16 for AES, 8 for 3DES and Blowfish.
    public var blockSize: Int { algorithm == .aes ? 16 : 8 }

    /// - Throws: Cryptographic Failure for an algorithm or algorithm/mode pair that is not offered,
    ///   Invalid Field for a key of the wrong length, padding with a mode that does not pad, or a
    ///   GCM tag length not in `gcmTagLengths`.
    public init(algorithm: CryptographicAlgorithm, key: SecretBytes, parameters: SymmetricParameters) throws {
        try self.init(algorithm: algorithm, key: key, parameters: parameters, allowingLegacy: false)
    }

    /// A cipher for Derive Key's derivation by encryption, which also takes Blowfish (PyKMIP's
    /// clients derive with it). Blowfish's 64-bit block makes it unfit for encrypting data, so
    /// Encrypt and Decrypt never accept it: they use the other initialisers.
    public static func forDerivation(algorithm: CryptographicAlgorithm, key: SecretBytes,
                                     cryptographicParameters: CryptographicParameters) throws -> SymmetricCipher {
        try SymmetricCipher(algorithm: algorithm, key: key, parameters: SymmetricParameters(cryptographicParameters),
                            allowingLegacy: true)
    }

    init(algorithm: CryptographicAlgorithm, key: SecretBytes, parameters: SymmetricParameters, allowingLegacy: Bool) throws {
        let mode = parameters.mode
        let base: String
        switch algorithm {
        case .aes:
            guard [16, 24, 32].contains(key.count) else {
                throw CryptoError.invalidField("an AES key is 16, 24 or 32 bytes, not \(key.count)")
            }
            keyLength = key.count * 8
            base = "AES-\(keyLength)"
            self.key = key
        case .tripleDES:
            switch key.count {
            case 24:
                keyLength = 168
                self.key = key
            case 16:
                keyLength = 112
                self.key = key.withUnsafeBytes { k in SecretBytes(count: 24) { out in
                    out.copyMemory(from: k)
                    UnsafeMutableRawBufferPointer(rebasing: out[16..<24]).copyMemory(from: UnsafeRawBufferPointer(rebasing: k[0..<8]))
                } }
            default:
                throw CryptoError.invalidField("a 3DES key is 24 bytes (three-key) or 16 bytes (two-key), not \(key.count)")
            }
            // SP 800-67: K1 ≠ K2 and K2 ≠ K3, or the cipher collapses to single DES. Compared in
            // place and in constant time; the parity bits (bit 0 of each byte) are ignored, which
            // CRYPTO_memcmp cannot do, so the differences are OR-ed up without a branch.
            let degenerate = self.key.withUnsafeBytes { k in
                var k1k2: UInt8 = 0, k2k3: UInt8 = 0
                for i in 0..<8 {
                    k1k2 |= (k[i] ^ k[8 + i]) & 0xFE
                    k2k3 |= (k[8 + i] ^ k[16 + i]) & 0xFE
                }
                return (k1k2 == 0) || (k2k3 == 0)
            }
            guard !degenerate else { throw CryptoError.invalidField("a 3DES key whose parts repeat (K1 = K2 or K2 = K3) is single DES") }
            guard mode != .ctr, mode != .gcm else { throw CryptoError.unsupported("3DES in \(mode) mode") }
            base = "DES-EDE3"
        case .blowfish where allowingLegacy:
            guard (4...56).contains(key.count) else {
                throw CryptoError.invalidField("a Blowfish key is 32 to 448 bits, not \(key.count * 8)")
            }
            guard [.ecb, .cbc, .cfb, .ofb].contains(mode) else { throw CryptoError.unsupported("Blowfish in \(mode) mode") }
            keyLength = key.count * 8
            self.key = key
            base = "BF"
        default:
            throw CryptoError.unsupported("cryptographic algorithm \(algorithm) for symmetric encryption")
        }
        if parameters.padding != .none, !mode.allowsPadding {
            throw CryptoError.invalidField("padding \(parameters.padding) is for ECB and CBC only; \(mode) takes padding None")
        }
        if mode == .gcm, !Self.gcmTagLengths.contains(parameters.tagLength) {
            throw CryptoError.invalidField("GCM tag length \(parameters.tagLength) bytes is not one of 16, 15, 14, 13, 12, 8 or 4")
        }
        if let n = parameters.ivLength {
            let ok = mode == .gcm ? (1...CryptoLimits.maxGCMNonceLength).contains(n) : n == Self.ivLength(mode, blockSize: algorithm == .aes ? 16 : 8)
            guard ok else { throw CryptoError.invalidField("IV Length \(n * 8) bits does not fit \(mode)") }
        }
        self.algorithm = algorithm
        self.parameters = parameters
        openSSLName = "\(base)-\(mode.rawValue)"
        cipher = try algorithm == .blowfish ? CipherCatalog.legacyCipher(openSSLName) : CipherCatalog.cipher(openSSLName)
    }

    /// From KMIP values: the algorithm and key of the object, mode/padding/tag length from its (or the
    /// request's) Cryptographic Parameters — see `SymmetricParameters.init(_:)` for the defaults.
    public init(algorithm: CryptographicAlgorithm, key: SecretBytes, cryptographicParameters: CryptographicParameters) throws {
        try self.init(algorithm: algorithm, key: key, parameters: SymmetricParameters(cryptographicParameters))
    }

    static func ivLength(_ mode: SymmetricMode, blockSize: Int) -> Int? {
        switch mode {
        case .ecb: nil
        case .cbc, .cfb, .ofb, .ctr: blockSize
        case .gcm: defaultGCMNonceLength
        }
    }

    /// The IV length the mode takes, in bytes: nil for ECB, the block size for CBC/CFB/OFB/CTR, and
    /// for GCM `parameters.ivLength` or 12.
    public var ivLength: Int? {
        parameters.mode == .gcm ? parameters.ivLength ?? Self.defaultGCMNonceLength : Self.ivLength(parameters.mode, blockSize: blockSize)
    }

    /// A fresh random IV/nonce of `ivLength` bytes (for KMIP Random IV); nil for ECB. A GCM nonce
    /// is at least 96 bits (SP 800-38D §8.2.2): a shorter IV Length fails with Invalid Field.
    public func randomIV() throws -> [UInt8]? {
        guard let n = ivLength else { return nil }
        if parameters.mode == .gcm, n < CryptoLimits.minGeneratedGCMNonceLength {
            throw CryptoError.invalidField(
                "a GCM nonce the server generates has at least 96 bits (SP 800-38D §8.2.2); IV Length \(n * 8) bits is too short for Random IV")
        }
        return try RNG.publicBytes(count: n)
    }

    /// Checks the IV against the mode's rules (see the type's documentation).
    func checkIV(_ iv: [UInt8]?) throws {
        let mode = parameters.mode
        switch mode {
        case .ecb:
            if let iv, !iv.isEmpty { throw CryptoError.invalidField("ECB takes no IV, got \(iv.count) bytes") }
        case .gcm:
            guard let iv, !iv.isEmpty else {
                throw CryptoError.invalidField("GCM needs a nonce (IV) of 1…\(CryptoLimits.maxGCMNonceLength) bytes, 12 recommended")
            }
            guard iv.count <= CryptoLimits.maxGCMNonceLength else {
                throw CryptoError.invalidField("GCM nonce of \(iv.count) bytes is longer than \(CryptoLimits.maxGCMNonceLength)")
            }
        case .cbc, .cfb, .ofb, .ctr:
            guard let iv, iv.count == blockSize else {
                throw CryptoError.invalidField("\(openSSLName) needs an IV of \(blockSize) bytes, got \(iv?.count ?? 0)")
            }
        }
    }

    /// What every operation checks before OpenSSL sees it: the IV, and additional data for GCM only.
    func checkStart(iv: [UInt8]?, additionalData: [UInt8]) throws {
        try checkIV(iv)
        if !additionalData.isEmpty, parameters.mode != .gcm {
            throw CryptoError.invalidField("additional authenticated data is for GCM only, not \(parameters.mode)")
        }
    }

    /// What every operation checks before its final step, `processed` bytes in: GCM decryption has
    /// a tag of exactly `tagLength` bytes (nothing else takes one), and ECB/CBC have whole blocks
    /// unless they pad on encryption.
    func checkFinish(_ direction: SymmetricCipherContext.Direction, processed: Int, expectedTag: [UInt8]?) throws {
        let mode = parameters.mode
        if mode == .gcm, direction == .decrypt {
            guard let expectedTag else { throw CryptoError.invalidField("GCM decryption needs the authentication tag") }
            guard expectedTag.count == parameters.tagLength else {
                throw CryptoError.invalidField("GCM tag of \(expectedTag.count) bytes, expected \(parameters.tagLength)")
            }
        } else if expectedTag != nil {
            throw CryptoError.invalidField("an authentication tag applies to GCM decryption only")
        }
        if mode.allowsPadding, processed % blockSize != 0, parameters.padding == .none || direction == .decrypt {
            throw CryptoError.invalidField("\(mode) \(direction == .encrypt ? "with padding None " : "")needs a multiple of \(blockSize) bytes, got \(processed)")
        }
    }

    // MARK: - One-shot

    /// Encrypts `plaintext` in one call. For GCM the result carries the tag.
    public func encrypt(_ plaintext: [UInt8], iv: [UInt8]? = nil, additionalData: [UInt8] = []) throws -> SymmetricOutput {
        try oneShot(.encrypt, plaintext, iv: iv, additionalData: additionalData, expectedTag: nil)
    }

    /// Decrypts `ciphertext` in one call. GCM needs `tag`; a tag that does not verify, or bad padding,
    /// fails with Cryptographic Failure and returns nothing.
    public func decrypt(_ ciphertext: [UInt8], iv: [UInt8]? = nil, additionalData: [UInt8] = [], tag: [UInt8]? = nil) throws -> [UInt8] {
        try oneShot(.decrypt, ciphertext, iv: iv, additionalData: additionalData, expectedTag: tag).data
    }

    /// The whole input in one pass into one buffer, on a keyed context from `contexts`. GCM
    /// decryption writes straight into the result but hands it out only after the tag has
    /// verified; on any failure the buffer is wiped and the context freed, not reused.
    private func oneShot(_ direction: SymmetricCipherContext.Direction, _ input: [UInt8], iv: [UInt8]?, additionalData: [UInt8],
                         expectedTag: [UInt8]?) throws -> SymmetricOutput {
        try checkStart(iv: iv, additionalData: additionalData)
        guard input.count <= CryptoLimits.maxSymmetricUpdateLength else {
            throw CryptoError.invalidField("\(input.count) bytes is too much for one operation")
        }
        if parameters.mode == .gcm, let iv, iv.count > EVPCipherSteps.largestNonce {
            // OpenSSL's GCM128, on a context of its own (rare nonces).
            return try SymmetricCipherContext(self, direction, iv: iv, additionalData: additionalData).oneShot(input, expectedTag: expectedTag)
        }
        try checkFinish(direction, processed: input.count, expectedTag: expectedTag)
        let steps = EVPCipherSteps(self, direction)
        let ctx = try contexts.take(self, direction)
        var tag: [UInt8]?
        var failure: Error?
        let data = [UInt8](unsafeUninitializedCapacity: input.count + 2 * SymmetricCipherContext.slack) { buffer, written in
            let out = buffer.baseAddress!
            do {
                try steps.start(ctx, iv: iv, additionalData: additionalData)
                var n = 0
                if !input.isEmpty { n = try input.withUnsafeBytes { try steps.update(ctx, $0, out) } }
                n += try steps.finish(ctx, out + n, expectedTag: expectedTag)
                if steps.isGCM, direction == .encrypt { tag = try steps.tag(ctx, length: parameters.tagLength) }
                try steps.end(ctx, iv: iv)
                written = n
            } catch {
                OPENSSL_cleanse(out, buffer.count)
                written = 0
                failure = error
            }
        }
        if let failure {
            contexts.discard(ctx)
            throw failure
        }
        contexts.give(ctx, direction)
        return SymmetricOutput(data: data, tag: tag)
    }

    // MARK: - Streaming

    /// A streaming encryption (KMIP Init Indicator … Final Indicator).
    public func encryptor(iv: [UInt8]? = nil, additionalData: [UInt8] = []) throws -> SymmetricCipherContext {
        try SymmetricCipherContext(self, .encrypt, iv: iv, additionalData: additionalData)
    }

    /// A streaming decryption; for GCM the expected tag is given to `finalize(expectedTag:)`.
    public func decryptor(iv: [UInt8]? = nil, additionalData: [UInt8] = []) throws -> SymmetricCipherContext {
        try SymmetricCipherContext(self, .decrypt, iv: iv, additionalData: additionalData)
    }
}
