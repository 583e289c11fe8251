import COpenSSL
import KMIP

/// The salt length of an RSA-PSS signature.
public enum PSSSaltLength: Sendable, Hashable {
    /// As long as the digest (the default; what most verifiers expect).
    case digestLength
    /// As long as the key allows (k − hLen − 2).
    case maximum
    /// Exactly this many bytes.
    case bytes(Int)
    /// Verification only: whatever the signature carries.
    case auto

    var openSSLValue: Int32 {
        switch self {
        case .digestLength: -1 // RSA_PSS_SALTLEN_DIGEST
        case .auto: -2 // RSA_PSS_SALTLEN_AUTO
        case .maximum: -3 // RSA_PSS_SALTLEN_MAX
        case .bytes(let n): Int32(clamping: n)
        }
    }
}

/// A signature scheme: the algorithm, its hash and its parameters.
public enum SignatureScheme: Sendable, Hashable, CustomStringConvertible {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2).
    case rsaPKCS1v15(HashingAlgorithm)
    /// RSASSA-PKCS1-v1_5 padding over Digested Data taken as the already encoded value: no hash,
    /// no DigestInfo added (what a KMIP Sign with Digested Data and no Hashing Algorithm asks for).
    case rsaPKCS1v15Raw
    /// RSASSA-PSS (RFC 8017 §8.1) with MGF1 over `mgf1` (nil: the same hash; SHA-1 is allowed
    /// for MGF1 in signing too, MD5 only as a legacy verification).
    case rsaPSS(HashingAlgorithm, mgf1: HashingAlgorithm? = nil, saltLength: PSSSaltLength = .digestLength)
    /// ECDSA with DER-encoded (r, s) signatures (X9.62 / RFC 3279).
    case ecdsa(HashingAlgorithm)
    /// ECDSA over Digested Data from a hash not named: the digest as given (1 to 64 bytes).
    case ecdsaPrehashed
    /// PureEdDSA Ed25519 (RFC 8032): one-shot over the message, no pre-hash.
    case ed25519

    /// The hashes signatures are made and verified with.
    public static let digests: Set<HashingAlgorithm> = [
        .sha224, .sha256, .sha384, .sha512, .sha512224, .sha512256, .sha3224, .sha3256, .sha3384, .sha3512, .ripemd160,
    ]
    /// The hashes only verified, and only under `SignaturePolicy.allowsLegacyVerification`.
    public static let legacyVerificationDigests: Set<HashingAlgorithm> = [.sha1, .md5]

    public var hashingAlgorithm: HashingAlgorithm? {
        switch self {
        case .rsaPKCS1v15(let h), .rsaPSS(let h, _, _), .ecdsa(let h): h
        case .ed25519, .rsaPKCS1v15Raw, .ecdsaPrehashed: nil
        }
    }

    public var description: String {
        switch self {
        case .rsaPKCS1v15(let h): "RSA PKCS#1 v1.5 with \(h)"
        case .rsaPKCS1v15Raw: "RSA PKCS#1 v1.5 over an encoded digest"
        case .rsaPSS(let h, let m, let s): "RSA-PSS with \(h), MGF1 \(m ?? h), salt \(s)"
        case .ecdsa(let h): "ECDSA with \(h)"
        case .ecdsaPrehashed: "ECDSA over a given digest"
        case .ed25519: "Ed25519"
        }
    }
}

/// What signature verification tolerates. A value, passed to each verification: there is no global.
public struct SignaturePolicy: Sendable, Hashable {
    /// Verify (never make) signatures over SHA-1 and MD5, for old data.
    public var allowsLegacyVerification: Bool

    public init(allowsLegacyVerification: Bool = false) {
        self.allowsLegacyVerification = allowsLegacyVerification
    }

    /// SHA-1 and MD5 refused.
    public static let standard = SignaturePolicy()
    /// SHA-1 and MD5 accepted for verification.
    public static let legacyVerification = SignaturePolicy(allowsLegacyVerification: true)
}

/// A scheme checked against a key and a purpose, ready to configure an EVP_PKEY_CTX.
struct ResolvedSignature {
    enum Purpose { case sign, verify }

    let scheme: SignatureScheme
    /// nil for Ed25519 and for raw PKCS#1 v1.5.
    let digest: DigestAlgorithm?

    /// Errors of use: the scheme does not fit the key (Invalid Field), a hash is not offered or is
    /// refused by policy or for signing (Cryptographic Failure), a PSS salt length is invalid
    /// (Invalid Field).
    init(_ scheme: SignatureScheme, key: AsymmetricKey, purpose: Purpose, policy: SignaturePolicy) throws {
        self.scheme = scheme
        switch (scheme, key.kind) {
        case (.rsaPKCS1v15, .rsa), (.rsaPKCS1v15Raw, .rsa), (.rsaPSS, .rsa), (.ecdsa, .ec), (.ecdsaPrehashed, .ec), (.ed25519, .ed25519): break
        default: throw CryptoError.invalidField("\(scheme) needs \(Self.keyKindName(scheme)) key, not \(key.kind)")
        }
        if purpose == .sign, !key.isPrivate { throw CryptoError.invalidField("signing needs the private key") }
        var hashes: [HashingAlgorithm] = []
        if let h = scheme.hashingAlgorithm { hashes.append(h) }
        if case .rsaPSS(_, let mgf1, let salt) = scheme {
            // MGF1 needs no collision resistance: SHA-1 is fine there (RFC 8017's default).
            if let mgf1, mgf1 != .sha1 { hashes.append(mgf1) }
            if case .bytes(let n) = salt, n < 0 { throw CryptoError.invalidField("a PSS salt length cannot be negative") }
            if case .auto = salt, purpose == .sign { throw CryptoError.invalidField("signing needs a definite PSS salt length") }
        }
        for h in hashes {
            if SignatureScheme.digests.contains(h) { continue }
            if SignatureScheme.legacyVerificationDigests.contains(h) {
                guard purpose == .verify else { throw CryptoError(.cryptographicFailure, "\(h) is not allowed for signing") }
                guard policy.allowsLegacyVerification else {
                    throw CryptoError(.cryptographicFailure, "\(h) signatures are verified only under the legacy verification policy")
                }
                continue
            }
            throw CryptoError.unsupported("signatures with \(h)")
        }
        digest = try scheme.hashingAlgorithm.map { try DigestAlgorithm($0) }
    }

    /// The digest that hashes a message first; raw PKCS#1 v1.5 and Ed25519 have none.
    func messageDigest() throws -> DigestAlgorithm {
        if let digest { return digest }
        switch scheme {
        case .rsaPKCS1v15Raw, .ecdsaPrehashed:
            throw CryptoError.invalidField("\(scheme) with no Hashing Algorithm signs Digested Data only")
        default: break
        }
        throw CryptoError(.featureNotSupported, "Ed25519 signatures are one-shot, not streamed")
    }

    static func keyKindName(_ scheme: SignatureScheme) -> String {
        switch scheme {
        case .rsaPKCS1v15, .rsaPKCS1v15Raw, .rsaPSS: "an RSA"
        case .ecdsa, .ecdsaPrehashed: "an EC"
        case .ed25519: "an Ed25519"
        }
    }

    /// Configures a context initialised for EVP_PKEY_sign / EVP_PKEY_verify over a digest.
    func configure(_ ctx: OpaquePointer) throws {
        switch scheme {
        case .rsaPKCS1v15:
            try check(strongroom_EVP_PKEY_CTX_set_rsa_padding(ctx, 1 /* RSA_PKCS1_PADDING */), "RSA PKCS#1 v1.5 padding")
            try check(EVP_PKEY_CTX_set_signature_md(ctx, digest!.md.value), "signature digest \(digest!.openSSLName)")
        case .rsaPKCS1v15Raw:
            // No signature digest: OpenSSL pads the input as given (RSA_private_encrypt semantics).
            try check(strongroom_EVP_PKEY_CTX_set_rsa_padding(ctx, 1 /* RSA_PKCS1_PADDING */), "RSA PKCS#1 v1.5 padding")
        case .rsaPSS(_, let mgf1, let salt):
            try check(strongroom_EVP_PKEY_CTX_set_rsa_padding(ctx, 6 /* RSA_PKCS1_PSS_PADDING */), "RSA PSS padding")
            try check(EVP_PKEY_CTX_set_signature_md(ctx, digest!.md.value), "signature digest \(digest!.openSSLName)")
            let mgf = try mgf1.map { try DigestAlgorithm($0) } ?? digest!
            try check(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, mgf.md.value), "MGF1 digest \(mgf.openSSLName)")
            try check(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, salt.openSSLValue), "PSS salt length", reason: .invalidField)
        case .ecdsa, .ecdsaPrehashed:
            // No signature digest: ECDSA signs the digest as given (truncated to the order), which
            // lets every hash through, RIPEMD-160 included (OpenSSL's ECDSA refuses it as an md).
            break
        case .ed25519:
            throw CryptoError(.featureNotSupported, "Ed25519 signs the message itself, not a digest")
        }
    }
}

extension AsymmetricKey {
    /// Signs `message` (hashing it with the scheme's hash; Ed25519 signs it as is).
    public func sign(_ message: [UInt8], scheme: SignatureScheme) throws -> [UInt8] {
        let resolved = try ResolvedSignature(scheme, key: self, purpose: .sign, policy: .standard)
        if case .ed25519 = scheme { return try ed25519Sign(message) }
        return try signResolved(resolved.messageDigest().hash(message), resolved)
    }

    /// Signs a digest computed elsewhere (KMIP Digested Data). Not for Ed25519 (Feature Not
    /// Supported); a digest of the wrong length fails with Invalid Field.
    public func sign(digest: [UInt8], scheme: SignatureScheme) throws -> [UInt8] {
        let resolved = try ResolvedSignature(scheme, key: self, purpose: .sign, policy: .standard)
        try checkDigestLength(digest, resolved)
        return try signResolved(digest, resolved)
    }

    /// True when `signature` is a valid signature of `message`. Throws only on errors of use (the
    /// scheme does not fit the key, a hash not offered or refused by `policy`); a malformed
    /// signature is just invalid.
    public func verify(_ signature: [UInt8], message: [UInt8], scheme: SignatureScheme, policy: SignaturePolicy = .standard) throws -> Bool {
        let resolved = try ResolvedSignature(scheme, key: self, purpose: .verify, policy: policy)
        if case .ed25519 = scheme { return try ed25519Verify(signature, message) }
        return try verifyResolved(signature, digest: resolved.messageDigest().hash(message), resolved)
    }

    /// Verifies a signature over a digest computed elsewhere (KMIP Digested Data).
    public func verify(_ signature: [UInt8], digest: [UInt8], scheme: SignatureScheme, policy: SignaturePolicy = .standard) throws -> Bool {
        let resolved = try ResolvedSignature(scheme, key: self, purpose: .verify, policy: policy)
        try checkDigestLength(digest, resolved)
        return try verifyResolved(signature, digest: digest, resolved)
    }

    func checkDigestLength(_ digest: [UInt8], _ resolved: ResolvedSignature) throws {
        if case .rsaPKCS1v15Raw = resolved.scheme {
            // The padding needs at least 11 bytes of the modulus (RFC 8017 §9.2 step 3).
            let limit = (bitLength + 7) / 8 - 11
            guard (1...max(1, limit)).contains(digest.count) else {
                throw CryptoError.invalidField("a raw PKCS#1 v1.5 input is 1 to \(limit) bytes for this key, not \(digest.count)")
            }
            return
        }
        if case .ecdsaPrehashed = resolved.scheme {
            guard (1...64).contains(digest.count) else {
                throw CryptoError.invalidField("a digest to sign with ECDSA is 1 to 64 bytes, not \(digest.count)")
            }
            return
        }
        guard let d = resolved.digest else { throw CryptoError(.featureNotSupported, "Ed25519 signs the message itself, not a digest") }
        guard digest.count == d.size else { throw CryptoError.invalidField("a \(d) digest is \(d.size) bytes, not \(digest.count)") }
    }

    func signResolved(_ digest: [UInt8], _ resolved: ResolvedSignature) throws -> [UInt8] {
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else { throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_pkey") }
        defer { EVP_PKEY_CTX_free(ctx) }
        try check(EVP_PKEY_sign_init(ctx), "EVP_PKEY_sign_init")
        try resolved.configure(ctx)
        var length = 0
        try check(EVP_PKEY_sign(ctx, nil, &length, digest, digest.count), "\(resolved.scheme) signature length")
        var out = [UInt8](repeating: 0, count: length)
        try check(EVP_PKEY_sign(ctx, &out, &length, digest, digest.count), "\(resolved.scheme) signature")
        return Array(out[0..<length])
    }

    func verifyResolved(_ signature: [UInt8], digest: [UInt8], _ resolved: ResolvedSignature) throws -> Bool {
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else { throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_pkey") }
        defer { EVP_PKEY_CTX_free(ctx) }
        try check(EVP_PKEY_verify_init(ctx), "EVP_PKEY_verify_init")
        try resolved.configure(ctx)
        guard !signature.isEmpty else { return false }
        let rc = EVP_PKEY_verify(ctx, signature, signature.count, digest, digest.count)
        OpenSSLErrors.clear()
        return rc == 1
    }

    func ed25519Sign(_ message: [UInt8]) throws -> [UInt8] {
        guard let md = EVP_MD_CTX_new() else { throw CryptoError.openSSL("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(md) }
        try check(EVP_DigestSignInit_ex(md, nil, nil, nil, nil, pkey, nil), "Ed25519 sign init")
        var out = [UInt8](repeating: 0, count: 64)
        var length = out.count
        try check(EVP_DigestSign(md, &out, &length, message, message.count), "Ed25519 signature")
        return Array(out[0..<length])
    }

    func ed25519Verify(_ signature: [UInt8], _ message: [UInt8]) throws -> Bool {
        guard let md = EVP_MD_CTX_new() else { throw CryptoError.openSSL("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(md) }
        try check(EVP_DigestVerifyInit_ex(md, nil, nil, nil, nil, pkey, nil), "Ed25519 verify init")
        guard !signature.isEmpty else { return false }
        let rc = EVP_DigestVerify(md, signature, signature.count, message, message.count)
        OpenSSLErrors.clear()
        return rc == 1
    }
}
