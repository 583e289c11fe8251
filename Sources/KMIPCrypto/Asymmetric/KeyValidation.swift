import COpenSSL
import KMIP

/// Validation of imported keys. Every key decoded or built from components goes through
/// `validate()`; a key that fails it is rejected with Invalid Field.
///
/// The sizes of RSA components are checked before any arithmetic on them (our own when building a
/// key from transparent components, OpenSSL's primality tests in EVP_PKEY_check): their cost grows
/// with the cube of the length, and the lengths come from the client.
extension AsymmetricKey {
    /// True while a caller loads key material it validated before and kept authenticated (the
    /// server's own store): `validate()` then keeps its size checks but skips OpenSSL's full check.
    /// Set it with `AsymmetricKey.$loadingStoredKey.withValue(true) { … }`, never for client input.
    @TaskLocal public static var loadingStoredKey = false

    /// Checks the key with OpenSSL: a private key with EVP_PKEY_check (components in range and
    /// consistent with each other and with the public key: for RSA p·q = n, d·e ≡ 1, primes, CRT
    /// values; for EC the scalar in [1, n−1] and Q = d·G), a public key with EVP_PKEY_public_check
    /// (RSA modulus odd and composite; EC point on the curve and of the right order). RSA keys are
    /// first checked for size, whatever format they came in: the modulus in
    /// `CryptoLimits.rsaImportBitLengths`, the public exponent odd, ≥ 3 and below 2^256, each prime
    /// at most half the modulus plus `CryptoLimits.rsaPrimeBitSlack` bits, the private and CRT
    /// exponents and the coefficients no longer than the modulus. Failures are Invalid Field.
    public func validate() throws {
        if case .rsa = kind {
            try Self.checkRSAModulusBits(bitLength)
            guard let e = bigNumParam("e") else { throw CryptoError.invalidField("the RSA key has no public exponent") }
            try Self.checkRSAPublicExponent(e)
            if isPrivate { try checkRSAPrivateComponentSizes() }
        }
        // A key the server stored itself was checked when it arrived and is authenticated at rest;
        // OpenSSL's full check (primality tests: ~60 ms for an RSA-2048 private key) is not repeated.
        if Self.loadingStoredKey { return }
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else { throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_pkey") }
        defer { EVP_PKEY_CTX_free(ctx) }
        if isPrivate {
            guard EVP_PKEY_check(ctx) == 1 else {
                throw CryptoError.openSSL("the \(kind) private key is malformed or inconsistent", reason: .invalidField)
            }
        } else {
            guard EVP_PKEY_public_check(ctx) == 1 else {
                throw CryptoError.openSSL("the \(kind) public key is malformed", reason: .invalidField)
            }
        }
        OpenSSLErrors.clear()
    }

    /// The modulus length is one `CryptoLimits.rsaImportBitLengths` accepts.
    static func checkRSAModulusBits(_ bits: Int) throws {
        let accepted = CryptoLimits.rsaImportBitLengths
        guard accepted.contains(bits) else {
            throw CryptoError.invalidField("RSA keys of \(bits) bits are not accepted (\(accepted.lowerBound)–\(accepted.upperBound))")
        }
    }

    /// The longest prime a modulus of `modulusBits` bits may have.
    static func maximumRSAPrimeBits(modulusBits: Int) -> Int { (modulusBits + 1) / 2 + CryptoLimits.rsaPrimeBitSlack }

    /// Size checks of RSA private components, cheap, before any arithmetic on them: primes at most
    /// half the modulus plus the slack, every other private value no longer than the modulus.
    static func checkRSAComponentSizes(modulusBits: Int, primes: [(String, BigNum)], others: [(String, BigNum)]) throws {
        let maximumPrime = maximumRSAPrimeBits(modulusBits: modulusBits)
        for (name, value) in primes where value.bitCount > maximumPrime {
            throw CryptoError.invalidField("the RSA prime \(name) has \(value.bitCount) bits, more than \(maximumPrime) for a \(modulusBits)-bit modulus")
        }
        for (name, value) in others where value.bitCount > modulusBits {
            throw CryptoError.invalidField("the RSA \(name) has \(value.bitCount) bits, more than the \(modulusBits)-bit modulus")
        }
    }

    /// The component sizes of an RSA private key made by OpenSSL (decoded DER), before
    /// EVP_PKEY_check runs primality tests on them. Multi-prime keys have up to 10 factors.
    func checkRSAPrivateComponentSizes() throws {
        var primes: [(String, BigNum)] = []
        var others: [(String, BigNum)] = []
        if let d = bigNumParam("d") { others.append(("private exponent", d)) }
        for i in 1...10 {
            guard let factor = bigNumParam("rsa-factor\(i)") else { break }
            primes.append(("factor \(i)", factor))
        }
        for i in 1...10 {
            guard let exponent = bigNumParam("rsa-exponent\(i)") else { break }
            others.append(("CRT exponent \(i)", exponent))
        }
        for i in 1...9 {
            guard let coefficient = bigNumParam("rsa-coefficient\(i)") else { break }
            others.append(("CRT coefficient \(i)", coefficient))
        }
        try Self.checkRSAComponentSizes(modulusBits: bitLength, primes: primes, others: others)
    }

    /// A BIGNUM parameter of the key, nil (with the error queue cleared) when the key has none.
    func bigNumParam(_ name: String) -> BigNum? {
        var bn: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pkey, name, &bn) == 1, let bn else {
            OpenSSLErrors.clear()
            return nil
        }
        return BigNum(owning: bn)
    }
}
