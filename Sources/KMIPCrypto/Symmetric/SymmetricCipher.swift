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
/// (GCM) tag length. Immutable and `Sendable`; every operation makes its own OpenSSL context.
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
/// - GCM: 1…`maxGCMNonceLength` bytes; 12 is the default and the recommended length.
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

    /// Largest GCM nonce accepted, in bytes. OpenSSL's EVP GCM stops at 128 bytes; longer nonces
    /// (which SP 800-38D allows and Wycheproof tests) go through OpenSSL's GCM128 implementation.
    public static let maxGCMNonceLength = 1024
    /// The default (and recommended) GCM nonce length, in bytes.
    public static let defaultGCMNonceLength = 12
    /// Allowed GCM tag lengths, in bytes.
    public static let gcmTagLengths = 4...16

    public var description: String { "\(openSSLName)\(parameters.mode.allowsPadding ? "/\(parameters.padding)" : "")" }

    /// 16 for AES, 8 for 3DES.
    public var blockSize: Int { algorithm == .aes ? 16 : 8 }

    /// - Throws: Cryptographic Failure for an algorithm or algorithm/mode pair that is not offered,
    ///   Invalid Field for a key of the wrong length, padding with a mode that does not pad, or a
    ///   tag length outside 4…16.
    public init(algorithm: CryptographicAlgorithm, key: SecretBytes, parameters: SymmetricParameters) throws {
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
            // SP 800-67: K1 ≠ K2 and K2 ≠ K3, or the cipher collapses to single DES (parity bits ignored).
            let degenerate = self.key.withUnsafeBytes { k in
                let part = { (i: Int) in (0..<8).map { k[i * 8 + $0] & 0xFE } }
                return constantTimeEquals(part(0), part(1)) || constantTimeEquals(part(1), part(2))
            }
            guard !degenerate else { throw CryptoError.invalidField("a 3DES key whose parts repeat (K1 = K2 or K2 = K3) is single DES") }
            guard mode != .ctr, mode != .gcm else { throw CryptoError.unsupported("3DES in \(mode) mode") }
            base = "DES-EDE3"
        default:
            throw CryptoError.unsupported("cryptographic algorithm \(algorithm) for symmetric encryption")
        }
        if parameters.padding != .none, !mode.allowsPadding {
            throw CryptoError.invalidField("padding \(parameters.padding) is for ECB and CBC only; \(mode) takes padding None")
        }
        if mode == .gcm, !Self.gcmTagLengths.contains(parameters.tagLength) {
            throw CryptoError.invalidField("GCM tag length \(parameters.tagLength) is not within 4…16 bytes")
        }
        if let n = parameters.ivLength {
            let ok = mode == .gcm ? (1...Self.maxGCMNonceLength).contains(n) : n == Self.ivLength(mode, blockSize: algorithm == .aes ? 16 : 8)
            guard ok else { throw CryptoError.invalidField("IV Length \(n * 8) bits does not fit \(mode)") }
        }
        self.algorithm = algorithm
        self.parameters = parameters
        openSSLName = "\(base)-\(mode.rawValue)"
        cipher = try CipherCatalog.cipher(openSSLName)
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

    /// A fresh random IV/nonce of `ivLength` bytes (for KMIP Random IV); nil for ECB.
    public func randomIV() throws -> [UInt8]? {
        guard let n = ivLength else { return nil }
        return try RNG.retrieve(count: n).bytes
    }

    /// Checks the IV against the mode's rules (see the type's documentation).
    func checkIV(_ iv: [UInt8]?) throws {
        let mode = parameters.mode
        switch mode {
        case .ecb:
            if let iv, !iv.isEmpty { throw CryptoError.invalidField("ECB takes no IV, got \(iv.count) bytes") }
        case .gcm:
            guard let iv, !iv.isEmpty else { throw CryptoError.invalidField("GCM needs a nonce (IV) of 1…\(Self.maxGCMNonceLength) bytes, 12 recommended") }
            guard iv.count <= Self.maxGCMNonceLength else {
                throw CryptoError.invalidField("GCM nonce of \(iv.count) bytes is longer than \(Self.maxGCMNonceLength)")
            }
        case .cbc, .cfb, .ofb, .ctr:
            guard let iv, iv.count == blockSize else {
                throw CryptoError.invalidField("\(algorithm == .aes ? "AES" : "3DES")-\(mode) needs an IV of \(blockSize) bytes, got \(iv?.count ?? 0)")
            }
        }
    }

    // MARK: - One-shot

    /// Encrypts `plaintext` in one call. For GCM the result carries the tag.
    public func encrypt(_ plaintext: [UInt8], iv: [UInt8]? = nil, additionalData: [UInt8] = []) throws -> SymmetricOutput {
        try SymmetricCipherContext(self, .encrypt, iv: iv, additionalData: additionalData).oneShot(plaintext, expectedTag: nil)
    }

    /// Decrypts `ciphertext` in one call. GCM needs `tag`; a tag that does not verify, or bad padding,
    /// fails with Cryptographic Failure and returns nothing.
    public func decrypt(_ ciphertext: [UInt8], iv: [UInt8]? = nil, additionalData: [UInt8] = [], tag: [UInt8]? = nil) throws -> [UInt8] {
        try SymmetricCipherContext(self, .decrypt, iv: iv, additionalData: additionalData).oneShot(ciphertext, expectedTag: tag).data
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
