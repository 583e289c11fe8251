import KMIP

/// The block cipher modes KMIPCrypto offers for Encrypt/Decrypt with a symmetric key (a subset of
/// the KMIP Block Cipher Mode enumeration).
///
/// - `cfb` is CFB with a segment the size of the block: CFB128 for AES, CFB64 for 3DES.
/// - `ctr` takes a whole counter block as its IV (16 bytes, incremented as a 128-bit big-endian
///   integer, as in NIST SP 800-38A F.5). AES only: OpenSSL has no 3DES-CTR.
/// - `gcm` is AES only (GCM needs a 128-bit block).
public enum SymmetricMode: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case ecb = "ECB", cbc = "CBC", cfb = "CFB", ofb = "OFB", ctr = "CTR", gcm = "GCM"

    /// Maps a KMIP Block Cipher Mode; any other mode (CCM, XTS, PCBC, the key-wrap modes…) fails with
    /// Cryptographic Failure naming the mode. The key-wrap modes are `AESKeyWrap`'s.
    public init(_ mode: BlockCipherMode) throws {
        switch mode {
        case .ecb: self = .ecb
        case .cbc: self = .cbc
        case .cfb: self = .cfb
        case .ofb: self = .ofb
        case .ctr: self = .ctr
        case .gcm: self = .gcm
        default: throw CryptoError.unsupported("block cipher mode \(mode) for symmetric encryption")
        }
    }

    public var blockCipherMode: BlockCipherMode {
        switch self {
        case .ecb: .ecb
        case .cbc: .cbc
        case .cfb: .cfb
        case .ofb: .ofb
        case .ctr: .ctr
        case .gcm: .gcm
        }
    }

    /// ECB and CBC are the only modes that pad; the others encrypt any length.
    public var allowsPadding: Bool { self == .ecb || self == .cbc }
    public var isAuthenticated: Bool { self == .gcm }
    public var description: String { rawValue }
}

/// The padding methods for symmetric encryption: None and PKCS5 (PKCS#7 padding to the block size).
public enum SymmetricPadding: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case none = "None", pkcs5 = "PKCS5"

    /// Maps a KMIP Padding Method; the asymmetric and exotic ones fail with Cryptographic Failure.
    public init(_ method: PaddingMethod) throws {
        switch method {
        case .none: self = .none
        case .pkcs5: self = .pkcs5
        default: throw CryptoError.unsupported("padding method \(method) for symmetric encryption")
        }
    }

    public var paddingMethod: PaddingMethod { self == .none ? .none : .pkcs5 }
    public var description: String { rawValue }
}

/// Mode, padding and GCM tag length of a symmetric operation: the typed form of the symmetric part
/// of KMIP Cryptographic Parameters. Checked against the algorithm when a `SymmetricCipher` is made.
///
/// Rules (enforced by `SymmetricCipher`):
/// - padding PKCS5 is allowed with ECB and CBC only; with CFB/OFB/CTR/GCM it fails with Invalid
///   Field (those modes need no padding, and silently ignoring a request for it would hide a client
///   bug). Padding None with ECB/CBC needs data that is a multiple of the block size.
/// - `tagLength` (bytes) applies to GCM only and is 16, 15, 14, 13 or 12, or 8 or 4 for special
///   uses (SP 800-38D §5.2.1.2, Appendix C; see `SymmetricCipher.gcmTagLengths`); decryption requires a tag of exactly
///   that length, so a truncated tag cannot be slipped in.
/// - `ivLength` (bytes) is only the length of an IV the caller asks `SymmetricCipher.randomIV()`
///   to generate (for GCM at least 12: SP 800-38D §8.2.2); the IV actually given is checked
///   against the mode's rules.
public struct SymmetricParameters: Sendable, Hashable, CustomStringConvertible {
    public var mode: SymmetricMode
    public var padding: SymmetricPadding
    /// GCM authentication tag length in bytes.
    public var tagLength: Int
    /// Length in bytes of a generated IV/nonce; nil means the mode's default.
    public var ivLength: Int?

    public static let defaultTagLength = 16

    /// `padding` defaults to PKCS5 for ECB/CBC and None for the other modes.
    public init(mode: SymmetricMode, padding: SymmetricPadding? = nil, tagLength: Int = SymmetricParameters.defaultTagLength,
                ivLength: Int? = nil) {
        self.mode = mode
        self.padding = padding ?? (mode.allowsPadding ? .pkcs5 : .none)
        self.tagLength = tagLength
        self.ivLength = ivLength
    }

    /// AES-CBC with PKCS5 padding: what the server uses when neither the request nor the object
    /// says anything (docs/security.md, Algorithms).
    public static let `default` = SymmetricParameters(mode: .cbc, padding: .pkcs5)

    /// From KMIP Cryptographic Parameters: Block Cipher Mode (absent: CBC), Padding Method (absent:
    /// PKCS5 for ECB/CBC, None otherwise), Tag Length (bytes, GCM only; absent: 16) and IV Length (bits, a
    /// multiple of 8). The other fields (hashing, RSA, counter layout) are not read here.
    public init(_ p: CryptographicParameters) throws {
        let mode = try p.blockCipherMode.map(SymmetricMode.init) ?? .cbc
        let padding = try p.paddingMethod.map(SymmetricPadding.init)
        var ivBytes: Int?
        if let bits = p.ivLength {
            guard bits > 0, bits % 8 == 0 else {
                throw CryptoError.invalidField("IV Length \(bits) is not a positive multiple of 8 bits")
            }
            ivBytes = Int(bits / 8)
        }
        // Tag Length is read for GCM only (an object's defaults may carry one into a CBC request).
        let tag = mode == .gcm ? p.tagLength.map { Int($0) } ?? Self.defaultTagLength : Self.defaultTagLength
        self.init(mode: mode, padding: padding, tagLength: tag, ivLength: ivBytes)
    }

    /// Back to the KMIP structure (mode, padding, and tag length for GCM).
    public var cryptographicParameters: CryptographicParameters {
        var p = CryptographicParameters()
        p.blockCipherMode = mode.blockCipherMode
        p.paddingMethod = padding.paddingMethod
        if mode == .gcm { p.tagLength = Int32(tagLength) }
        if let ivLength { p.ivLength = Int32(ivLength * 8) }
        return p
    }

    public var description: String { mode == .gcm ? "GCM/\(tagLength)" : "\(mode)/\(padding)" }
}
