import COpenSSL
import KMIP

/// DER encodings of keys through OSSL_ENCODER / OSSL_DECODER: PKCS#8 PrivateKeyInfo, X.509
/// SubjectPublicKeyInfo, PKCS#1 RSAPrivateKey / RSAPublicKey and RFC 5915 ECPrivateKey.
///
/// Decoding validates the key (see `validate()`): DER that does not parse, has trailing bytes, holds
/// another kind of structure or an inconsistent key fails with Invalid Field.
extension AsymmetricKey {
    /// A DER structure OpenSSL knows by name.
    /// (OpenSSL keeps the name pointers it is given: they are process-lifetime C strings.)
    enum DERStructure {
        case privateKeyInfo
        case subjectPublicKeyInfo
        /// PKCS#1 for RSA, RFC 5915 ECPrivateKey for EC.
        case typeSpecific

        var name: StaticCString {
            switch self {
            case .privateKeyInfo: .privateKeyInfo
            case .subjectPublicKeyInfo: .subjectPublicKeyInfo
            case .typeSpecific: .typeSpecific
            }
        }
    }

    // MARK: Decoding

    /// A private key from PKCS#8 PrivateKeyInfo DER (unencrypted).
    public convenience init(pkcs8 der: [UInt8]) throws {
        try self.init(owning: Self.decode(der, .privateKeyInfo, keyType: nil, selection: KeySelection.keyPair, what: "PKCS#8 PrivateKeyInfo"))
        guard isPrivate else { throw CryptoError.invalidField("PKCS#8 PrivateKeyInfo without a private key") }
        try validate()
    }

    /// A public key from X.509 SubjectPublicKeyInfo DER.
    public convenience init(subjectPublicKeyInfo der: [UInt8]) throws {
        try self.init(owning: Self.decode(der, .subjectPublicKeyInfo, keyType: nil, selection: KeySelection.publicKey, what: "SubjectPublicKeyInfo"))
        try validate()
    }

    /// An RSA private key from PKCS#1 RSAPrivateKey DER.
    public convenience init(pkcs1PrivateKey der: [UInt8]) throws {
        try self.init(owning: Self.decode(der, .typeSpecific, keyType: .rsa, selection: KeySelection.keyPair, what: "PKCS#1 RSAPrivateKey"))
        guard isPrivate else { throw CryptoError.invalidField("PKCS#1 RSAPrivateKey without a private key") }
        try validate()
    }

    /// An RSA public key from PKCS#1 RSAPublicKey DER.
    public convenience init(pkcs1PublicKey der: [UInt8]) throws {
        try self.init(owning: Self.decode(der, .typeSpecific, keyType: .rsa, selection: KeySelection.publicKey, what: "PKCS#1 RSAPublicKey"))
        try validate()
    }

    /// An EC private key from RFC 5915 ECPrivateKey DER (which must name its curve).
    public convenience init(ecPrivateKey der: [UInt8]) throws {
        try self.init(owning: Self.decode(der, .typeSpecific, keyType: .ec, selection: KeySelection.keyPair, what: "ECPrivateKey"))
        guard isPrivate else { throw CryptoError.invalidField("ECPrivateKey without a private key") }
        try validate()
    }

    static func decode(_ der: [UInt8], _ structure: DERStructure, keyType: StaticCString?, selection: Int32, what: String) throws -> OpaquePointer {
        guard !der.isEmpty else { throw CryptoError.invalidField("\(what): empty") }
        // The decoder context keeps this EVP_PKEY** and writes the key through it later, inside
        // OSSL_DECODER_from_data: it must be memory of ours that outlives the context (an inout
        // `&pkey` would only be valid for the duration of the call that creates the context).
        let slot = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: 1)
        slot.initialize(to: nil)
        defer { slot.deallocate() }
        guard let ctx = OSSL_DECODER_CTX_new_for_pkey(slot, StaticCString.der.pointer, structure.name.pointer, keyType?.pointer, selection, nil, nil) else {
            throw CryptoError.openSSL("OSSL_DECODER_CTX_new_for_pkey \(what)")
        }
        // Freed before `slot` (defers run in reverse order): nothing writes to the slot afterwards.
        defer { OSSL_DECODER_CTX_free(ctx) }
        guard OSSL_DECODER_CTX_get_num_decoders(ctx) > 0 else {
            OpenSSLErrors.clear()
            throw CryptoError(.keyFormatTypeNotSupported, "no decoder for \(what)")
        }
        var remaining = der.count
        let ok = der.withUnsafeBufferPointer { buffer -> Int32 in
            var p: UnsafePointer<UInt8>? = buffer.baseAddress
            return OSSL_DECODER_from_data(ctx, &p, &remaining)
        }
        let pkey = slot.pointee
        slot.pointee = nil
        // Decoders tried before the one that matched may leave errors (OpenSSL versions differ).
        OpenSSLErrors.clear()
        guard ok == 1, let pkey else {
            if let pkey { EVP_PKEY_free(pkey) }
            throw CryptoError.invalidField("\(what): malformed or not a supported key")
        }
        guard remaining == 0 else {
            EVP_PKEY_free(pkey)
            throw CryptoError.invalidField("\(what): \(remaining) bytes after the structure")
        }
        return pkey
    }

    // MARK: Encoding

    /// PKCS#8 PrivateKeyInfo DER (unencrypted). Private keys only.
    public func pkcs8() throws -> SecretBytes {
        try requirePrivate("PKCS#8")
        return try encodeSecret(.privateKeyInfo, selection: KeySelection.keyPair, what: "PKCS#8")
    }

    /// X.509 SubjectPublicKeyInfo DER of the public part (of a private key too).
    public func subjectPublicKeyInfo() throws -> [UInt8] {
        try encode(.subjectPublicKeyInfo, selection: KeySelection.publicKey, what: "SubjectPublicKeyInfo")
    }

    /// PKCS#1 RSAPrivateKey DER. RSA private keys only.
    public func pkcs1PrivateKey() throws -> SecretBytes {
        try requireKind(.rsa, "PKCS#1")
        try requirePrivate("PKCS#1 RSAPrivateKey")
        return try encodeSecret(.typeSpecific, selection: KeySelection.keyPair, what: "PKCS#1 RSAPrivateKey")
    }

    /// PKCS#1 RSAPublicKey DER of the public part. RSA keys only.
    public func pkcs1PublicKey() throws -> [UInt8] {
        try requireKind(.rsa, "PKCS#1")
        return try encode(.typeSpecific, selection: KeySelection.publicKey, what: "PKCS#1 RSAPublicKey")
    }

    /// RFC 5915 ECPrivateKey DER (with the curve's name and the public key). EC private keys only.
    public func ecPrivateKey() throws -> SecretBytes {
        guard case .ec = kind else { throw CryptoError(.keyFormatTypeNotSupported, "ECPrivateKey is for EC keys, not \(kind)") }
        try requirePrivate("ECPrivateKey")
        return try encodeSecret(.typeSpecific, selection: KeySelection.keyPair, what: "ECPrivateKey")
    }

    /// PEM ("PRIVATE KEY" PKCS#8 for private keys, "PUBLIC KEY" SubjectPublicKeyInfo for public
    /// keys), e.g. for tools. A private key's PEM is secret.
    public func pem() throws -> SecretBytes {
        if isPrivate { return try encodeSecret(.privateKeyInfo, selection: KeySelection.keyPair, what: "PEM", output: .pem) }
        return SecretBytes(try encode(.subjectPublicKeyInfo, selection: KeySelection.publicKey, what: "PEM", output: .pem))
    }

    func requirePrivate(_ what: String) throws {
        guard isPrivate else { throw CryptoError(.keyFormatTypeNotSupported, "\(what) needs a private key; this one is public") }
    }

    func requireKind(_ expected: AsymmetricKeyKind, _ what: String) throws {
        guard kind == expected else { throw CryptoError(.keyFormatTypeNotSupported, "\(what) is for \(expected) keys, not \(kind)") }
    }

    /// Calls `body` with OpenSSL's encoding, which is wiped and freed afterwards.
    func withEncoding<R>(_ structure: DERStructure, selection: Int32, what: String, output: StaticCString = .der,
                         _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let ctx = OSSL_ENCODER_CTX_new_for_pkey(pkey, selection, output.pointer, structure.name.pointer, nil) else {
            throw CryptoError.openSSL("OSSL_ENCODER_CTX_new_for_pkey \(what)")
        }
        defer { OSSL_ENCODER_CTX_free(ctx) }
        guard OSSL_ENCODER_CTX_get_num_encoders(ctx) > 0 else {
            OpenSSLErrors.clear()
            throw CryptoError(.keyFormatTypeNotSupported, "\(what) is not available for \(kind) keys")
        }
        var data: UnsafeMutablePointer<UInt8>?
        var length = 0
        try check(OSSL_ENCODER_to_data(ctx, &data, &length), "OSSL_ENCODER_to_data \(what)")
        defer {
            OPENSSL_cleanse(data, length)
            strongroom_OPENSSL_free(data)
        }
        return try body(UnsafeRawBufferPointer(start: data, count: length))
    }

    func encode(_ structure: DERStructure, selection: Int32, what: String, output: StaticCString = .der) throws -> [UInt8] {
        try withEncoding(structure, selection: selection, what: what, output: output) { Array($0) }
    }

    func encodeSecret(_ structure: DERStructure, selection: Int32, what: String, output: StaticCString = .der) throws -> SecretBytes {
        try withEncoding(structure, selection: selection, what: what, output: output) { SecretBytes($0) }
    }
}
