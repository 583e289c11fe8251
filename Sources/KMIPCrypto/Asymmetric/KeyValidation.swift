import COpenSSL
import KMIP

/// Validation of imported keys. Every key decoded or built from components goes through
/// `validate()`; a key that fails it is rejected with Invalid Field.
extension AsymmetricKey {
    /// The RSA modulus lengths accepted on import (generation offers `rsaBitLengths`).
    public static let rsaImportBitLengths = 1024...16384

    /// Checks the key with OpenSSL: a private key with EVP_PKEY_check (components in range and
    /// consistent with each other and with the public key: for RSA p·q = n, d·e ≡ 1, primes, CRT
    /// values; for EC the scalar in [1, n−1] and Q = d·G), a public key with EVP_PKEY_public_check
    /// (RSA modulus odd and composite; EC point on the curve and of the right order). Failures are
    /// Invalid Field.
    public func validate() throws {
        if case .rsa = kind {
            guard Self.rsaImportBitLengths.contains(bitLength) else {
                throw CryptoError.invalidField("RSA keys of \(bitLength) bits are not accepted (\(Self.rsaImportBitLengths.lowerBound)–\(Self.rsaImportBitLengths.upperBound))")
            }
        }
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
    }
}
