import KMIP
import KMIPCrypto

/// Public and Private Keys ↔ KMIPCrypto: reading stored or registered key material, checking it,
/// and answering Get in another Key Format Type.
///
/// Formats the engine stores for the keys it generates (Create Key Pair, Re-key Key Pair):
/// - RSA: PKCS#1 for both halves (RSAPrivateKey / RSAPublicKey), as the OASIS AKLC cases and
///   most KMIP clients expect;
/// - EC (P-256/384/521) and Ed25519: PKCS#8 PrivateKeyInfo for the private key and X.509
///   SubjectPublicKeyInfo for the public key (PKCS#1 has no EC or Ed25519 form).
///
/// Get converts between every format `AsymmetricKey.keyMaterial(_:)` offers for the key's kind and
/// side: Raw (EC, Ed25519), PKCS#1 (RSA), PKCS#8 (private), X.509 (public), ECPrivateKey (EC
/// private), Transparent RSA Private/Public and Transparent EC(DSA/DH/MQV) Private/Public Keys.
/// Anything else is Key Format Type Not Supported. Key material is never logged.
extension KMIPEngine {
    /// The Key Format Types the engine stores generated key pairs in.
    static func storedFormats(for kind: AsymmetricKeyKind) -> (private: KeyFormatType, public: KeyFormatType) {
        switch kind {
        case .rsa: (.pkcs1, .pkcs1)
        case .ec, .ed25519: (.pkcs8, .x509)
        }
    }

    /// The Recommended Curve stated by attributes (Cryptographic Domain Parameters), if any.
    static func statedCurve(_ attributes: [Attribute]) -> RecommendedCurve? {
        attributes.first { $0.attributeName == CryptographicDomainParameters.attributeName }?
            .value(as: CryptographicDomainParameters.self)?.recommendedCurve
    }

    /// The NIST curve of an EC key of `length` bits, for Raw EC keys that name no curve.
    static func curve(forLength length: Int32?) -> RecommendedCurve? {
        switch length {
        case 256: .p256
        case 384: .p384
        case 521: .p521
        default: nil
        }
    }

    /// The asymmetric key held by a Public or Private Key object whose key value is plain; nil for
    /// other objects and for wrapped keys. `attributes` (the object's or the template's) supply the
    /// curve of a Raw EC key. Malformed material is Invalid Field.
    /// `stored`: the object comes from the store (validated when it arrived), so OpenSSL's full key
    /// check is not repeated (see `AsymmetricKey.loadingStoredKey`).
    static func asymmetricKey(of object: ManagedObject, attributes: [Attribute] = [], stored: Bool = false) throws -> AsymmetricKey? {
        if stored {
            return try AsymmetricKey.$loadingStoredKey.withValue(true) { try asymmetricKey(of: object, attributes: attributes) }
        }
        let isPrivate: Bool
        switch object {
        case .privateKey: isPrivate = true
        case .publicKey: isPrivate = false
        default: return nil
        }
        guard let block = object.keyBlock, block.keyWrappingData == nil, let value = block.plainKeyValue else { return nil }
        let algorithm = block.cryptographicAlgorithm
            ?? attributes.first(AttributeName.cryptographicAlgorithm)?.value(as: CryptographicAlgorithm.self)
        var namedCurve: RecommendedCurve?
        if block.keyFormatType == .raw, let algorithm, [.ec, .ecdsa, .ecdh, .ecmqv].contains(algorithm) {
            namedCurve = statedCurve(value.attributes) ?? statedCurve(attributes)
                ?? curve(forLength: block.cryptographicLength
                    ?? attributes.first(AttributeName.cryptographicLength)?.value(as: Int32.self))
        }
        return try AsymmetricKey.importing(value.keyMaterial, format: block.keyFormatType, algorithm: algorithm,
                                           curve: namedCurve, isPrivate: isPrivate)
    }

    /// Register and Import: a Public or Private Key in a form KMIPCrypto reads must hold a valid
    /// key of the stated algorithm, side and length; malformed or inconsistent material is Invalid
    /// Field. Material the server cannot read is stored as given, as KMIP servers store keys they
    /// do not use: wrapped keys, encrypted PKCS#8 (EncryptedPrivateKeyInfo, as TC-ECC-2 registers),
    /// and well-formed keys of kinds KMIPCrypto does not offer (secp256k1 and other curves, DSA).
    static func checkAsymmetricMaterial(_ object: ManagedObject, attributes: [Attribute]) throws {
        if isEncryptedPKCS8(object) { return }
        let key: AsymmetricKey
        do {
            guard let read = try asymmetricKey(of: object, attributes: attributes) else { return }
            try read.validate()
            key = read
        } catch let error as CryptoError where error.reason != .invalidField {
            return
        }
        let stated = object.keyBlock?.cryptographicLength
            ?? attributes.first(AttributeName.cryptographicLength)?.value(as: Int32.self)
        if let stated, key.kind == .rsa || key.curve != nil, Int(stated) != key.bitLength {
            throw KMIPError(.invalidField, "the key is \(key.bitLength) bits but its Cryptographic Length says \(stated)")
        }
    }

    /// A PKCS#8 key block holding an EncryptedPrivateKeyInfo (SEQUENCE { SEQUENCE algorithm, OCTET
    /// STRING }) rather than a PrivateKeyInfo (SEQUENCE { INTEGER version, ... }).
    static func isEncryptedPKCS8(_ object: ManagedObject) -> Bool {
        guard case .privateKey = object, let block = object.keyBlock, block.keyFormatType == .pkcs8,
              case .byteString(let b)? = block.plainKeyValue?.keyMaterial else { return false }
        let der = b.bytes
        guard der.count > 4, der[0] == 0x30 else { return false }
        let header = der[1] < 0x80 ? 2 : 2 + Int(der[1] & 0x7F)
        return header < der.count && der[header] == 0x30
    }

    /// Get of a Public or Private Key in another Key Format Type. `block` is the stored block and
    /// `format` differs from its format.
    static func convertedAsymmetric(_ object: ManagedObject, block: KeyBlock, to format: KeyFormatType) throws -> ManagedObject {
        guard let value = block.plainKeyValue else {
            throw KMIPError(.keyFormatTypeNotSupported, "a wrapped key cannot change format")
        }
        let key: AsymmetricKey
        do {
            guard let read = try asymmetricKey(of: object, stored: true) else {
                throw KMIPError(.keyFormatTypeNotSupported, "this object cannot change format")
            }
            key = read
        } catch let error as CryptoError {
            throw KMIPError(.keyFormatTypeNotSupported, "the stored key cannot be converted: \(error.message)")
        }
        let material: KeyMaterial
        do {
            material = try key.keyMaterial(format)
        } catch let error as CryptoError where error.reason == .keyFormatTypeNotSupported {
            throw KMIPError(.keyFormatTypeNotSupported,
                "\(object.objectType.name ?? "this object") (\(key.kind)) cannot be returned as \(format.name ?? "that format")")
        }
        var converted = block
        converted.keyFormatType = format
        converted.keyCompressionType = nil
        converted.keyValue = .plain(KeyValue(material, attributes: value.attributes))
        return object.replacingKeyBlock(converted)
    }
}
