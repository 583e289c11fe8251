import COpenSSL
import KMIP

/// Key pair generation. CPU-heavy (RSA 4096 takes seconds): synchronous on purpose, the engine
/// runs it off the event loop.
extension AsymmetricKey {
    /// The public exponent used when none is chosen.
    public static let defaultRSAPublicExponent: [UInt8] = [0x01, 0x00, 0x01]

    /// A new RSA private key. `bits` outside `CryptoLimits.rsaGenerationBitLengths` (1024…4096;
    /// 1024 is there for compatibility only — Vault and old clients — new keys should be 2048 or
    /// more), or a public exponent that is even, below 3 or of 2^256 or more, fail with Invalid Field.
    public static func generateRSA(bits: Int, publicExponent: [UInt8] = defaultRSAPublicExponent) throws -> AsymmetricKey {
        let offered = CryptoLimits.rsaGenerationBitLengths
        guard offered.contains(bits) else {
            throw CryptoError.invalidField("RSA keys are generated with \(offered.lowerBound) to \(offered.upperBound) bits, not \(bits)")
        }
        let e = try BigNum(unsigned: publicExponent)
        try checkRSAPublicExponent(e)
        let params = try OSSLParams { b in
            try b.size("bits", bits)
            try b.bigNum("e", e)
        }
        return try generate(.rsa, params: params)
    }

    /// A new EC private key on `curve`.
    public static func generateEC(curve: ECCurve) throws -> AsymmetricKey {
        let params = try OSSLParams { b in try b.utf8("group", curve.groupName) }
        return try generate(.ec(curve), params: params)
    }

    /// A new Ed25519 private key.
    public static func generateEd25519() throws -> AsymmetricKey {
        try generate(.ed25519, params: nil)
    }

    /// A new private key of `kind`; `bits` is the RSA modulus length (ignored otherwise).
    public static func generate(_ kind: AsymmetricKeyKind, bits: Int = 2048) throws -> AsymmetricKey {
        switch kind {
        case .rsa: try generateRSA(bits: bits)
        case .ec(let curve): try generateEC(curve: curve)
        case .ed25519: try generateEd25519()
        }
    }

    /// Odd, at least 3, below 2^256 (`CryptoLimits.rsaPublicExponentMaximumBits`, SP 800-56B's upper bound;
    /// OpenSSL's default provider accepts 3). For generated and imported keys alike.
    static func checkRSAPublicExponent(_ e: BigNum) throws {
        guard e.isOdd, e.bitCount >= 2, e.bitCount <= CryptoLimits.rsaPublicExponentMaximumBits else {
            throw CryptoError.invalidField("the RSA public exponent must be odd, at least 3 and below 2^256")
        }
    }

    static func generate(_ kind: AsymmetricKeyKind, params: OSSLParams?) throws -> AsymmetricKey {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, kind.openSSLName.pointer, nil) else {
            throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_name \(kind)")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        try check(EVP_PKEY_keygen_init(ctx), "EVP_PKEY_keygen_init \(kind)")
        if let params { try check(EVP_PKEY_CTX_set_params(ctx, params.params), "key generation parameters for \(kind)") }
        var out: OpaquePointer?
        try check(EVP_PKEY_generate(ctx, &out), "EVP_PKEY_generate \(kind)")
        return try AsymmetricKey(owning: out!)
    }
}
