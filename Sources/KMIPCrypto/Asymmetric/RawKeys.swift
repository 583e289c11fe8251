import COpenSSL
import KMIP

/// KMIP Raw key format where it means something for an asymmetric key:
/// - Ed25519: the 32-byte private key (RFC 8032 seed) or the 32-byte public key;
/// - EC: the private scalar, big-endian, padded to the curve's length; or the public point,
///   SEC 1 uncompressed (compressed accepted on import).
/// RSA has no raw form: Key Format Type Not Supported.
extension AsymmetricKey {
    /// A key from its raw bytes. The kind comes from the object's attributes (Cryptographic
    /// Algorithm, Recommended Curve). Wrong lengths and invalid values fail with Invalid Field.
    public convenience init(raw bytes: [UInt8], kind: AsymmetricKeyKind, isPrivate: Bool) throws {
        switch kind {
        case .rsa:
            throw CryptoError(.keyFormatTypeNotSupported, "RSA keys have no Raw format (use PKCS#1, PKCS#8, X.509 or a transparent format)")
        case .ec(let curve):
            if isPrivate {
                guard bytes.count == curve.scalarLength else {
                    throw CryptoError.invalidField("a raw \(curve) private key is \(curve.scalarLength) bytes, not \(bytes.count)")
                }
                try self.init(ecPrivateScalar: BigNum(unsigned: bytes), curve: curve)
            } else {
                try self.init(ecPublicPoint: bytes, curve: curve)
            }
        case .ed25519:
            guard bytes.count == 32 else { throw CryptoError.invalidField("a raw Ed25519 key is 32 bytes, not \(bytes.count)") }
            let made = bytes.withUnsafeBufferPointer { b in
                isPrivate ? EVP_PKEY_new_raw_private_key_ex(nil, "ED25519", nil, b.baseAddress, 32)
                          : EVP_PKEY_new_raw_public_key_ex(nil, "ED25519", nil, b.baseAddress, 32)
            }
            guard let made else { throw CryptoError.openSSL("raw Ed25519 key", reason: .invalidField) }
            try self.init(owning: made)
            try validate()
        }
    }

    /// The raw private key: Ed25519 32 bytes, EC the padded scalar. Secret.
    public func rawPrivateKey() throws -> SecretBytes {
        try requirePrivate("Raw private key")
        switch kind {
        case .rsa:
            throw CryptoError(.keyFormatTypeNotSupported, "RSA keys have no Raw format")
        case .ec(let curve):
            var bn: OpaquePointer?
            try check(EVP_PKEY_get_bn_param(pkey, "priv", &bn), "EC private scalar")
            let d = BigNum(owning: bn!)
            return try SecretBytes(count: curve.scalarLength) { out in
                guard BN_bn2binpad(d.bn, out.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(curve.scalarLength)) == Int32(curve.scalarLength) else {
                    throw CryptoError(.cryptographicFailure, "EC private scalar longer than the curve")
                }
            }
        case .ed25519:
            var length = 32
            return try SecretBytes(count: 32) { out in
                try check(EVP_PKEY_get_raw_private_key(pkey, out.baseAddress!.assumingMemoryBound(to: UInt8.self), &length), "Ed25519 private key")
            }
        }
    }

    /// The raw public key (of a private key too): Ed25519 32 bytes, EC the uncompressed point.
    public func rawPublicKey() throws -> [UInt8] {
        switch kind {
        case .rsa:
            throw CryptoError(.keyFormatTypeNotSupported, "RSA keys have no Raw format")
        case .ec:
            return try ecPublicPoint()
        case .ed25519:
            var out = [UInt8](repeating: 0, count: 32)
            var length = 32
            try check(EVP_PKEY_get_raw_public_key(pkey, &out, &length), "Ed25519 public key")
            return Array(out[0..<length])
        }
    }
}
