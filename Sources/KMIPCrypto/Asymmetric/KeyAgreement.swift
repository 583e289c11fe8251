import COpenSSL

extension AsymmetricKey {
    /// ECDH (SP 800-56A §5.7.1.2): the x-coordinate of the shared point, from this private EC key
    /// and a peer's public key on the same curve. OpenSSL checks the peer key (on the curve, not
    /// the point at infinity) before it multiplies.
    public func agree(with peer: AsymmetricKey) throws -> SecretBytes {
        guard case .ec(let curve) = kind, isPrivate else {
            throw CryptoError.invalidField("ECDH needs an EC private key")
        }
        guard case .ec(let peerCurve) = peer.kind, peerCurve == curve else {
            throw CryptoError.invalidField("ECDH needs a public key on the private key's curve (\(curve))")
        }
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else { throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_pkey") }
        defer { EVP_PKEY_CTX_free(ctx) }
        try check(EVP_PKEY_derive_init(ctx), "EVP_PKEY_derive_init")
        try check(EVP_PKEY_derive_set_peer_ex(ctx, peer.pkey, 1), "EVP_PKEY_derive_set_peer_ex", reason: .invalidField)
        var length = 0
        try check(EVP_PKEY_derive(ctx, nil, &length), "EVP_PKEY_derive")
        return try SecretBytes(count: length) { out in
            var written = length
            try check(EVP_PKEY_derive(ctx, out.baseAddress!.assumingMemoryBound(to: UInt8.self), &written), "EVP_PKEY_derive")
            guard written == length else { throw CryptoError.openSSL("EVP_PKEY_derive wrote \(written) of \(length) bytes") }
        }
    }
}
