import KMIP

/// KMIP Cryptographic Parameters → signature schemes and RSA encryption paddings. The engine merges
/// the request's parameters with the object's before asking; what is still missing gets the
/// defaults documented here.
extension SignatureScheme {
    /// The scheme that `parameters` ask for with `key` (Sign, Signature Verify).
    ///
    /// - A Digital Signature Algorithm names the scheme and hash (RSASSA-PSS takes its hash from
    ///   Hashing Algorithm); a Hashing Algorithm that contradicts it is Invalid Field.
    /// - Otherwise the key decides: RSA uses Padding Method PSS or PKCS1 v1.5 (the default), EC
    ///   uses ECDSA; Hashing Algorithm is required.
    /// - PSS: MGF1 over Mask Generator Hashing Algorithm (default: the same hash), salt of Salt
    ///   Length bytes (default: the digest length).
    /// - Ed25519 keys: Ed25519; a Hashing Algorithm other than SHA-512 is Invalid Field.
    /// DSA schemes and mask generators other than MGF1 are Cryptographic Failure (not supported).
    public init(parameters p: CryptographicParameters, key: AsymmetricKey) throws {
        if let mg = p.maskGenerator, mg != .mgf1 { throw CryptoError.unsupported("mask generator \(mg)") }
        if let algorithm = p.cryptographicAlgorithm {
            let kind = try? AsymmetricKeyKind(algorithm, curve: key.curve?.recommendedCurve)
            guard kind == key.kind else { throw CryptoError.invalidField("Cryptographic Algorithm \(algorithm) does not match the \(key.kind) key") }
        }
        if key.kind == .ed25519 {
            guard p.digitalSignatureAlgorithm == nil else {
                throw CryptoError.invalidField("Digital Signature Algorithm \(p.digitalSignatureAlgorithm!) is not for Ed25519 keys")
            }
            if let h = p.hashingAlgorithm, h != .sha512 { throw CryptoError.invalidField("Ed25519 hashes with SHA-512, not \(h)") }
            self = .ed25519
            return
        }
        enum Family { case pkcs1, pss, ecdsa }
        let family: Family
        let hash: HashingAlgorithm
        if let dsa = p.digitalSignatureAlgorithm {
            let implied: (Family, HashingAlgorithm?)
            switch dsa {
            case .md2WithRSAEncryptionPKCS1V15: implied = (.pkcs1, .md2)
            case .md5WithRSAEncryptionPKCS1V15: implied = (.pkcs1, .md5)
            case .sha1WithRSAEncryptionPKCS1V15: implied = (.pkcs1, .sha1)
            case .sha224WithRSAEncryptionPKCS1V15: implied = (.pkcs1, .sha224)
            case .sha256WithRSAEncryptionPKCS1V15: implied = (.pkcs1, .sha256)
            case .sha384WithRSAEncryptionPKCS1V15: implied = (.pkcs1, .sha384)
            case .sha512WithRSAEncryptionPKCS1V15: implied = (.pkcs1, .sha512)
            case .sha3256WithRSAEncryption: implied = (.pkcs1, .sha3256)
            case .sha3384WithRSAEncryption: implied = (.pkcs1, .sha3384)
            case .sha3512WithRSAEncryption: implied = (.pkcs1, .sha3512)
            case .rsassaPSSPKCS1V21: implied = (.pss, nil)
            case .ecdsaWithSHA1: implied = (.ecdsa, .sha1)
            case .ecdsaWithSHA224: implied = (.ecdsa, .sha224)
            case .ecdsaWithSHA256: implied = (.ecdsa, .sha256)
            case .ecdsaWithSHA384: implied = (.ecdsa, .sha384)
            case .ecdsaWithSHA512: implied = (.ecdsa, .sha512)
            default: throw CryptoError.unsupported("digital signature algorithm \(dsa)")
            }
            family = implied.0
            if let h = implied.1 {
                if let given = p.hashingAlgorithm, given != h {
                    throw CryptoError.invalidField("Hashing Algorithm \(given) contradicts Digital Signature Algorithm \(dsa)")
                }
                hash = h
            } else {
                guard let given = p.hashingAlgorithm else { throw CryptoError.invalidField("\(dsa) needs a Hashing Algorithm") }
                hash = given
            }
            if family == .pss, let pad = p.paddingMethod, pad != .pss {
                throw CryptoError.invalidField("Padding Method \(pad) contradicts \(dsa)")
            }
            if family == .pkcs1, let pad = p.paddingMethod, pad != .pkcs1V15 {
                throw CryptoError.invalidField("Padding Method \(pad) contradicts \(dsa)")
            }
        } else {
            guard let given = p.hashingAlgorithm else {
                // No hash named: RSA PKCS#1 v1.5 and ECDSA sign Digested Data as given (Digested Data only).
                if key.kind == .rsa, p.paddingMethod == nil || p.paddingMethod == .pkcs1V15 {
                    self = .rsaPKCS1v15Raw
                    return
                }
                if case .ec = key.kind, p.paddingMethod == nil {
                    self = .ecdsaPrehashed
                    return
                }
                throw CryptoError.invalidField("a signature needs a Hashing Algorithm or a Digital Signature Algorithm")
            }
            hash = given
            switch key.kind {
            case .rsa:
                switch p.paddingMethod {
                case nil, .pkcs1V15?: family = .pkcs1
                case .pss?: family = .pss
                case let other?: throw CryptoError.invalidField("Padding Method \(other) is not an RSA signature padding")
                }
            case .ec: family = .ecdsa
            case .ed25519: throw CryptoError.invalidField("Ed25519 takes no signature parameters")
            }
        }
        switch (family, key.kind) {
        case (.pkcs1, .rsa): self = .rsaPKCS1v15(hash)
        case (.pss, .rsa):
            if let salt = p.saltLength, salt < 0 { throw CryptoError.invalidField("Salt Length cannot be negative") }
            self = .rsaPSS(hash, mgf1: p.maskGeneratorHashingAlgorithm, saltLength: p.saltLength.map { .bytes(Int($0)) } ?? .digestLength)
        case (.ecdsa, .ec): self = .ecdsa(hash)
        default: throw CryptoError.invalidField("the signature parameters do not fit the \(key.kind) key")
        }
    }
}

extension RSAEncryptionPadding {
    /// The padding that `parameters` ask for (Encrypt, Decrypt with an RSA key): Padding Method
    /// OAEP or PKCS1 v1.5 is required. OAEP hashes with Hashing Algorithm (default SHA-1, RFC 8017's
    /// default), MGF1 with Mask Generator Hashing Algorithm (default: the same hash), and takes
    /// P Source as the label. Other paddings are Invalid Field; other mask generators Cryptographic
    /// Failure.
    public init(parameters p: CryptographicParameters) throws {
        if let mg = p.maskGenerator, mg != .mgf1 { throw CryptoError.unsupported("mask generator \(mg)") }
        switch p.paddingMethod {
        case .oaep?:
            let digest = p.hashingAlgorithm ?? .sha1
            self = .oaep(digest: digest, mgf1: p.maskGeneratorHashingAlgorithm, label: p.pSource?.bytes ?? [])
        case .pkcs1V15?:
            self = .pkcs1v15
        case nil:
            throw CryptoError.invalidField("RSA encryption needs a Padding Method (OAEP or PKCS1 v1.5)")
        case let other?:
            throw CryptoError.invalidField("Padding Method \(other) is not an RSA encryption padding")
        }
    }
}
