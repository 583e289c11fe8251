import COpenSSL
import KMIP

/// KMIP Key Format Types ↔ asymmetric keys: what Register/Import read and what Get answers.
///
/// | Format                               | Private key            | Public key              |
/// |--------------------------------------|------------------------|-------------------------|
/// | Raw                                  | EC scalar, Ed25519     | EC point, Ed25519       |
/// | PKCS#1                               | RSAPrivateKey          | RSAPublicKey            |
/// | PKCS#8                               | PrivateKeyInfo         | —                       |
/// | X.509                                | —                      | SubjectPublicKeyInfo    |
/// | ECPrivateKey                         | RFC 5915 (EC)          | —                       |
/// | Transparent RSA Private/Public Key   | RSA                    | RSA                     |
/// | Transparent EC(DSA/DH/MQV) Priv/Pub  | EC                     | EC                      |
///
/// Anything else, or a format that does not fit the key's kind or side, is Key Format Type Not
/// Supported. Key material that does not parse, does not match the stated algorithm, curve or
/// side, or fails validation is Invalid Field; a well-formed key of a kind KMIPCrypto does not
/// offer (DSA, X25519, RSA-PSS-only keys, other curves) is Cryptographic Failure.
extension AsymmetricKey {
    /// Reads a KMIP Key Material.
    /// - Parameters:
    ///   - algorithm: the Key Block's (or the object's) Cryptographic Algorithm; when given, the key
    ///     must be of that algorithm. Required for Raw.
    ///   - curve: the Recommended Curve; required for a Raw EC key, checked against the key otherwise.
    ///   - isPrivate: true for a Private Key object, false for a Public Key.
    public static func importing(_ material: KeyMaterial, format: KeyFormatType, algorithm: CryptographicAlgorithm?,
                                 curve: RecommendedCurve? = nil, isPrivate: Bool) throws -> AsymmetricKey {
        let key: AsymmetricKey
        switch (format, material) {
        case (.raw, .byteString(let b)):
            guard let algorithm else { throw CryptoError.invalidField("a Raw asymmetric key needs its Cryptographic Algorithm") }
            key = try AsymmetricKey(raw: b.bytes, kind: AsymmetricKeyKind(algorithm, curve: curve), isPrivate: isPrivate)
        case (.pkcs1, .byteString(let b)):
            key = isPrivate ? try AsymmetricKey(pkcs1PrivateKey: b.bytes) : try AsymmetricKey(pkcs1PublicKey: b.bytes)
        case (.pkcs8, .byteString(let b)) where isPrivate:
            key = try AsymmetricKey(pkcs8: b.bytes)
        case (.x509, .byteString(let b)) where !isPrivate:
            key = try AsymmetricKey(subjectPublicKeyInfo: b.bytes)
        case (.eCPrivateKey, .byteString(let b)) where isPrivate:
            key = try AsymmetricKey(ecPrivateKey: b.bytes)
        case (.transparentRSAPrivateKey, .transparentRSAPrivateKey(let t)) where isPrivate:
            key = try AsymmetricKey(transparent: t)
        case (.transparentRSAPublicKey, .transparentRSAPublicKey(let t)) where !isPrivate:
            key = try AsymmetricKey(transparent: t)
        case (_, .transparentECPrivateKey(let t)) where isPrivate && isTransparentEC(format, private: true):
            key = try AsymmetricKey(transparent: t)
        case (_, .transparentECPublicKey(let t)) where !isPrivate && isTransparentEC(format, private: false):
            key = try AsymmetricKey(transparent: t)
        case (.raw, _), (.pkcs1, _), (.pkcs8, _), (.x509, _), (.eCPrivateKey, _),
             (.transparentRSAPrivateKey, _), (.transparentRSAPublicKey, _):
            if isSupported(format, isPrivate: isPrivate) {
                throw CryptoError.invalidField("the Key Material does not have the form of \(format)")
            }
            throw CryptoError(.keyFormatTypeNotSupported, "\(format) is not a format for \(isPrivate ? "private" : "public") keys")
        default:
            if isTransparentEC(format, private: isPrivate) {
                throw CryptoError.invalidField("the Key Material does not have the form of \(format)")
            }
            throw CryptoError(.keyFormatTypeNotSupported, "\(format) is not supported for \(isPrivate ? "private" : "public") asymmetric keys")
        }
        guard key.isPrivate == isPrivate else {
            throw CryptoError.invalidField("the Key Material holds a \(key.isPrivate ? "private" : "public") key, not a \(isPrivate ? "private" : "public") one")
        }
        if let algorithm {
            let matches: Bool
            switch (algorithm, key.kind) {
            case (.rsa, .rsa), (.ed25519, .ed25519): matches = true
            case (.ec, .ec), (.ecdsa, .ec), (.ecdh, .ec), (.ecmqv, .ec): matches = true
            default: matches = false
            }
            guard matches else { throw CryptoError.invalidField("the Key Material holds a \(key.kind) key, not \(algorithm)") }
        }
        if let curve, let keyCurve = key.curve, keyCurve.recommendedCurve != curve {
            throw CryptoError.invalidField("the Key Material holds a \(keyCurve) key, not \(curve)")
        }
        return key
    }

    /// The key as KMIP Key Material in `format` (Get with a Key Format Type). A private key answers
    /// private formats only, a public key public formats only.
    public func keyMaterial(_ format: KeyFormatType) throws -> KeyMaterial {
        switch format {
        case .raw:
            return .byteString(ByteString(isPrivate ? try rawPrivateKey().bytes : try rawPublicKey()))
        case .pkcs1:
            return .byteString(ByteString(isPrivate ? try pkcs1PrivateKey().bytes : try pkcs1PublicKey()))
        case .pkcs8 where isPrivate:
            return .byteString(ByteString(try pkcs8().bytes))
        case .x509 where !isPrivate:
            return .byteString(ByteString(try subjectPublicKeyInfo()))
        case .eCPrivateKey where isPrivate:
            return .byteString(ByteString(try ecPrivateKey().bytes))
        case .transparentRSAPrivateKey where isPrivate:
            return .transparentRSAPrivateKey(try transparentRSAPrivateKey())
        case .transparentRSAPublicKey where !isPrivate:
            return .transparentRSAPublicKey(try transparentRSAPublicKey())
        case _ where Self.isTransparentEC(format, private: true) && isPrivate:
            return .transparentECPrivateKey(try transparentECPrivateKey())
        case _ where Self.isTransparentEC(format, private: false) && !isPrivate:
            return .transparentECPublicKey(try transparentECPublicKey())
        default:
            throw CryptoError(.keyFormatTypeNotSupported, "\(format) is not available for this \(kind) \(isPrivate ? "private" : "public") key")
        }
    }

    /// The formats `keyMaterial(_:)` can answer for this key.
    public var supportedKeyFormats: [KeyFormatType] {
        let all: [KeyFormatType] = [.raw, .pkcs1, .pkcs8, .x509, .eCPrivateKey, .transparentRSAPrivateKey, .transparentRSAPublicKey,
                                    .transparentECPrivateKey, .transparentECPublicKey, .transparentECDSAPrivateKey, .transparentECDSAPublicKey,
                                    .transparentECDHPrivateKey, .transparentECDHPublicKey, .transparentECMQVPrivateKey, .transparentECMQVPublicKey]
        return all.filter { f in
            switch (f, kind) {
            case (.raw, .rsa), (.pkcs1, .ec), (.pkcs1, .ed25519), (.eCPrivateKey, .rsa), (.eCPrivateKey, .ed25519): return false
            case (.transparentRSAPrivateKey, .rsa), (.transparentRSAPublicKey, .rsa): break
            case (.transparentRSAPrivateKey, _), (.transparentRSAPublicKey, _): return false
            case (_, .rsa) where Self.isTransparentEC(f, private: true) || Self.isTransparentEC(f, private: false): return false
            case (_, .ed25519) where Self.isTransparentEC(f, private: true) || Self.isTransparentEC(f, private: false): return false
            default: break
            }
            return Self.isSupported(f, isPrivate: isPrivate)
        }
    }

    static func isTransparentEC(_ format: KeyFormatType, private isPrivate: Bool) -> Bool {
        isPrivate ? [.transparentECPrivateKey, .transparentECDSAPrivateKey, .transparentECDHPrivateKey, .transparentECMQVPrivateKey].contains(format)
                : [.transparentECPublicKey, .transparentECDSAPublicKey, .transparentECDHPublicKey, .transparentECMQVPublicKey].contains(format)
    }

    /// Whether `format` is one of ours for that side, whatever the kind.
    static func isSupported(_ format: KeyFormatType, isPrivate: Bool) -> Bool {
        switch format {
        case .raw, .pkcs1: true
        case .pkcs8, .eCPrivateKey, .transparentRSAPrivateKey: isPrivate
        case .x509, .transparentRSAPublicKey: !isPrivate
        default: isTransparentEC(format, private: isPrivate)
        }
    }
}
