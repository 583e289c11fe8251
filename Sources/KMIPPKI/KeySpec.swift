import Crypto
import _CryptoExtras
import X509

/// A key type and size for a CA, server or client key: `ec` 256/384/521 or `rsa` 2048/3072/4096.
///
/// EC 224 (listed by Vault) is refused: swift-crypto has no P-224. Generating RSA keys is slow
/// (hundreds of ms for 4096): callers run ``generatePrivateKey()`` off the event loop.
public struct KeySpec: Sendable, Hashable, CustomStringConvertible {
    public enum KeyType: String, Sendable, Hashable, CaseIterable {
        case ec, rsa
    }

    public let type: KeyType
    public let bits: Int

    /// The default for the CA and client keys: EC P-256 (Vault's observed default).
    public static let defaultEC = try! KeySpec(type: .ec, bits: 256)

    /// Validates the pair; an unsupported size throws `.invalidParameter` naming the accepted values.
    public init(type: KeyType, bits: Int) throws {
        switch type {
        case .ec:
            if bits == 224 {
                throw PKIError(.invalidParameter, "EC key bits 224 (P-224) is not supported; use 256, 384 or 521")
            }
            guard [256, 384, 521].contains(bits) else {
                throw PKIError(.invalidParameter, "invalid EC key bits \(bits); accepted: 256, 384, 521")
            }
        case .rsa:
            guard [2048, 3072, 4096].contains(bits) else {
                throw PKIError(.invalidParameter, "invalid RSA key bits \(bits); accepted: 2048, 3072, 4096")
            }
        }
        self.type = type
        self.bits = bits
    }

    /// Parses Vault's `key_type` string (`ec` | `rsa`, case-insensitive) with its bits.
    public init(type: String, bits: Int) throws {
        guard let parsed = KeyType(rawValue: type.lowercased()) else {
            throw PKIError(.invalidParameter, "invalid key type \"\(type)\"; accepted: ec, rsa")
        }
        try self.init(type: parsed, bits: bits)
    }

    public var description: String { "\(type.rawValue) \(bits)" }

    /// Generates a fresh private key of this type and size.
    public func generatePrivateKey() throws -> Certificate.PrivateKey {
        switch (type, bits) {
        case (.ec, 256): return Certificate.PrivateKey(P256.Signing.PrivateKey())
        case (.ec, 384): return Certificate.PrivateKey(P384.Signing.PrivateKey())
        case (.ec, 521): return Certificate.PrivateKey(P521.Signing.PrivateKey())
        case (.rsa, 2048): return Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048))
        case (.rsa, 3072): return Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits3072))
        case (.rsa, 4096): return Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits4096))
        default: throw PKIError(.invalidParameter, "unsupported key \(self)")
        }
    }

    /// The spec of a public key, or nil for a key type Strongroom does not issue (Ed25519, P-224, odd RSA sizes).
    public init?(of publicKey: Certificate.PublicKey) {
        if P256.Signing.PublicKey(publicKey) != nil {
            self = try! KeySpec(type: .ec, bits: 256)
        } else if P384.Signing.PublicKey(publicKey) != nil {
            self = try! KeySpec(type: .ec, bits: 384)
        } else if P521.Signing.PublicKey(publicKey) != nil {
            self = try! KeySpec(type: .ec, bits: 521)
        } else if let rsa = _RSA.Signing.PublicKey(publicKey), let spec = try? KeySpec(type: .rsa, bits: rsa.keySizeInBits) {
            self = spec
        } else {
            return nil
        }
    }
}
