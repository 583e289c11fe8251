import COpenSSL
import KMIP

/// The elliptic curves KMIPCrypto offers for EC and ECDSA keys: the NIST prime curves and
/// SECP256K1 (KMIP 1.2+; the OASIS ECDSA test cases sign with it).
public enum ECCurve: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case p256, p384, p521, secp256k1

    /// The curve of a KMIP Recommended Curve; any other curve fails with Cryptographic Failure.
    public init(_ curve: RecommendedCurve) throws {
        switch curve {
        case .p256: self = .p256
        case .p384: self = .p384
        case .p521: self = .p521
        case .secp256k1: self = .secp256k1
        default: throw CryptoError.unsupported("recommended curve \(curve)")
        }
    }

    /// From an OpenSSL group name (either the SN or the NIST name).
    init?(groupName: String) {
        switch groupName {
        case "prime256v1", "P-256", "secp256r1": self = .p256
        case "secp384r1", "P-384": self = .p384
        case "secp521r1", "P-521": self = .p521
        case "secp256k1": self = .secp256k1
        default: return nil
        }
    }

    public var recommendedCurve: RecommendedCurve {
        switch self {
        case .p256: .p256
        case .p384: .p384
        case .p521: .p521
        case .secp256k1: .secp256k1
        }
    }

    /// OpenSSL's group name.
    var groupName: String {
        switch self {
        case .p256: "P-256"
        case .p384: "P-384"
        case .p521: "P-521"
        case .secp256k1: "secp256k1"
        }
    }

    var nid: Int32 {
        switch self {
        case .p256: NID_X9_62_prime256v1
        case .p384: NID_secp384r1
        case .p521: NID_secp521r1
        case .secp256k1: NID_secp256k1
        }
    }

    /// The size of the field and of the group order, in bits.
    public var bitLength: Int {
        switch self {
        case .p256: 256
        case .p384: 384
        case .p521: 521
        case .secp256k1: 256
        }
    }

    /// The length in bytes of a field element or a private scalar.
    public var scalarLength: Int { (bitLength + 7) / 8 }

    public var description: String { groupName }
}

/// What an asymmetric key is.
public enum AsymmetricKeyKind: Sendable, Hashable, CustomStringConvertible {
    case rsa
    case ec(ECCurve)
    case ed25519

    /// The KMIP Cryptographic Algorithm of keys of this kind (EC keys answer `.ec`; the engine
    /// may keep the `.ecdsa` of a request instead).
    public var cryptographicAlgorithm: CryptographicAlgorithm {
        switch self {
        case .rsa: .rsa
        case .ec: .ec
        case .ed25519: .ed25519
        }
    }

    /// The kind for a KMIP Cryptographic Algorithm; EC, ECDSA, ECDH and ECMQV need the curve.
    /// Others fail with Cryptographic Failure (not supported), a missing curve with Invalid Field.
    public init(_ algorithm: CryptographicAlgorithm, curve: RecommendedCurve? = nil) throws {
        switch algorithm {
        case .rsa: self = .rsa
        case .ed25519: self = .ed25519
        case .ec, .ecdsa, .ecdh, .ecmqv:
            guard let curve else { throw CryptoError.invalidField("an EC key needs its Recommended Curve") }
            self = .ec(try ECCurve(curve))
        default: throw CryptoError.unsupported("asymmetric algorithm \(algorithm)")
        }
    }

    /// OpenSSL's key type name (a process-lifetime C string: an EVP_PKEY_CTX keeps the pointer).
    var openSSLName: StaticCString {
        switch self {
        case .rsa: .rsa
        case .ec: .ec
        case .ed25519: .ed25519
        }
    }

    public var description: String {
        switch self {
        case .rsa: "RSA"
        case .ec(let c): "EC \(c)"
        case .ed25519: "Ed25519"
        }
    }
}

/// EVP_PKEY selections (OSSL_KEYMGMT_SELECT_*: private key 0x01, public key 0x02, parameters
/// 0x84), spelled out because Swift does not import the composite macros.
enum KeySelection {
    static let publicKey: Int32 = 0x86 // public key + all parameters
    static let keyPair: Int32 = 0x87
}

/// An RSA, EC or Ed25519 key, public or private, over an OpenSSL EVP_PKEY. Immutable once made, so
/// it may be used from several tasks at once (every operation makes its own EVP_PKEY_CTX).
/// Its description never shows key material.
public final class AsymmetricKey: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let pkey: OpaquePointer
    public let kind: AsymmetricKeyKind
    /// True when the key holds its private part (it can sign and decrypt).
    public let isPrivate: Bool
    /// RSA: the modulus length; EC: the curve's size (256, 384, 521); Ed25519: 255.
    public let bitLength: Int

    /// Takes ownership of `pkey`; frees it and throws when it is not a key of a supported kind.
    init(owning pkey: OpaquePointer) throws {
        self.pkey = pkey
        do {
            if EVP_PKEY_is_a(pkey, "RSA") == 1 {
                kind = .rsa
                bitLength = Int(EVP_PKEY_get_bits(pkey))
                isPrivate = Self.hasBigNumParam(pkey, "d")
            } else if EVP_PKEY_is_a(pkey, "EC") == 1 {
                var name = [CChar](repeating: 0, count: 80)
                var length = 0
                guard EVP_PKEY_get_utf8_string_param(pkey, "group", &name, name.count, &length) == 1 else {
                    OpenSSLErrors.clear()
                    throw CryptoError.invalidField("EC keys must name their curve (explicit curve parameters are not supported)")
                }
                let group = String(decoding: name[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                guard let curve = ECCurve(groupName: group) else { throw CryptoError.unsupported("EC curve \(group)") }
                kind = .ec(curve)
                bitLength = curve.bitLength
                isPrivate = Self.hasBigNumParam(pkey, "priv")
            } else if EVP_PKEY_is_a(pkey, "ED25519") == 1 {
                kind = .ed25519
                bitLength = 255
                var length = 0
                isPrivate = EVP_PKEY_get_raw_private_key(pkey, nil, &length) == 1 && length == 32
                OpenSSLErrors.clear()
            } else {
                let name = EVP_PKEY_get0_type_name(pkey).map { String(cString: $0) } ?? "unknown"
                throw CryptoError.unsupported("\(name) keys")
            }
        } catch {
            EVP_PKEY_free(pkey)
            throw error
        }
    }

    deinit { EVP_PKEY_free(pkey) }

    static func hasBigNumParam(_ pkey: OpaquePointer, _ name: String) -> Bool {
        var bn: OpaquePointer?
        defer { BN_clear_free(bn) }
        let found = EVP_PKEY_get_bn_param(pkey, name, &bn) == 1 && bn != nil
        if !found { OpenSSLErrors.clear() }
        return found
    }

    /// The KMIP Cryptographic Algorithm (RSA, EC, Ed25519).
    public var cryptographicAlgorithm: CryptographicAlgorithm { kind.cryptographicAlgorithm }

    /// The curve of an EC key.
    public var curve: ECCurve? {
        if case .ec(let c) = kind { return c }
        return nil
    }

    /// The public half: the key itself when it is public, otherwise a new public key.
    public func publicKey() throws -> AsymmetricKey {
        guard isPrivate else { return self }
        var params: UnsafeMutablePointer<OSSL_PARAM>?
        try check(EVP_PKEY_todata(pkey, KeySelection.publicKey, &params), "EVP_PKEY_todata")
        defer { OSSLParams.clearFree(params) }
        return try AsymmetricKey(fromData: kind, selection: KeySelection.publicKey, rawParams: params!)
    }

    /// True when both keys have the same public part (same kind, same public values).
    public func publicKeyMatches(_ other: AsymmetricKey) -> Bool {
        let r = EVP_PKEY_eq(pkey, other.pkey)
        OpenSSLErrors.clear()
        return r == 1
    }

    public var description: String { "AsymmetricKey(\(kind) \(bitLength) bits, \(isPrivate ? "private, redacted" : "public"))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["kind": kind, "isPrivate": isPrivate, "bitLength": bitLength]) }
}
