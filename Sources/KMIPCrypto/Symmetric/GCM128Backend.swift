import COpenSSL

/// AES-GCM for nonces longer than the 128 bytes OpenSSL 3.0's EVP GCM accepts (SP 800-38D allows
/// them; Wycheproof tests 257-byte ones). It is OpenSSL's own GCM (`CRYPTO_gcm128_*`, GHASH with
/// PCLMUL where the CPU has it) over AES blocks from an EVP AES-ECB context, so no primitive is
/// written here. Slower per block than EVP GCM; only these rare nonces use it.
///
/// GCM128 cannot hear of a failing block function, so the block function records a failure in
/// `BlockKey` and every GCM128 call is followed by a check of it: an operation with a failed
/// block fails, and its output is wiped.
final class GCM128Backend: SymmetricBackend {
    /// What GCM128 passes back to the block function as its "key".
    struct BlockKey {
        let ecb: OpaquePointer
        var failed: Bool
    }

    let blockKey: UnsafeMutablePointer<BlockKey>
    let gcm: OpaquePointer
    let direction: SymmetricCipherContext.Direction
    var ecb: OpaquePointer { blockKey.pointee.ecb }

    /// One AES block through the ECB context in the `BlockKey` that `key` points to; a failure is
    /// recorded there (and the block zeroed).
    private static let block: block128_f = { input, output, key in
        let k = UnsafeMutableRawPointer(mutating: key!).assumingMemoryBound(to: BlockKey.self)
        var outl: Int32 = 0
        if EVP_EncryptUpdate(k.pointee.ecb, output, &outl, input, 16) != 1 || outl != 16 {
            k.pointee.failed = true
            output?.update(repeating: 0, count: 16)
        }
    }

    init(_ cipher: SymmetricCipher, _ direction: SymmetricCipherContext.Direction, nonce: [UInt8], additionalData: [UInt8]) throws {
        precondition(cipher.algorithm == .aes && cipher.parameters.mode == .gcm)
        self.direction = direction
        guard let ecb = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("EVP_CIPHER_CTX_new") }
        let ecbCipher: UnsafeSendable<OpaquePointer>
        do { ecbCipher = try CipherCatalog.cipher("AES-\(cipher.keyLength)-ECB") } catch { EVP_CIPHER_CTX_free(ecb); throw error }
        let keyed = cipher.key.withKeyPointer { key, _ in EVP_EncryptInit_ex2(ecb, ecbCipher.value, key, nil, nil) }
        guard keyed == 1, EVP_CIPHER_CTX_set_padding(ecb, 0) == 1 else {
            let e = CryptoError.openSSL("EVP_EncryptInit_ex2 AES-\(cipher.keyLength)-ECB")
            EVP_CIPHER_CTX_free(ecb)
            throw e
        }
        blockKey = .allocate(capacity: 1)
        blockKey.initialize(to: BlockKey(ecb: ecb, failed: false))
        guard let gcm = CRYPTO_gcm128_new(UnsafeMutableRawPointer(blockKey), Self.block) else {
            EVP_CIPHER_CTX_free(ecb)
            blockKey.deallocate()
            throw CryptoError.openSSL("CRYPTO_gcm128_new")
        }
        self.gcm = gcm
        // From here on deinit frees everything.
        CRYPTO_gcm128_setiv(gcm, nonce, nonce.count)
        if !additionalData.isEmpty {
            guard CRYPTO_gcm128_aad(gcm, additionalData, additionalData.count) == 0 else {
                throw CryptoError(.cryptographicFailure, "AES-GCM: additional data refused")
            }
        }
        try checkBlocks()   // the hash key (in CRYPTO_gcm128_new) and the first counter block
    }

    deinit {
        CRYPTO_gcm128_release(gcm)   // OPENSSL_clear_free: the hash key is wiped
        EVP_CIPHER_CTX_free(blockKey.pointee.ecb)
        blockKey.deallocate()
    }

    /// Throws (with OpenSSL's reasons) when an AES block has failed since the context was made.
    private func checkBlocks() throws {
        if blockKey.pointee.failed { throw CryptoError.openSSL("AES-GCM: EVP_EncryptUpdate of an AES block") }
    }

    func update(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutablePointer<UInt8>) throws -> Int {
        try checkBlocks()
        let inp = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let rc = direction == .encrypt
            ? CRYPTO_gcm128_encrypt(gcm, inp, output, input.count)
            : CRYPTO_gcm128_decrypt(gcm, inp, output, input.count)
        guard rc == 0 else { throw CryptoError(.cryptographicFailure, "AES-GCM: message too long") }
        do {
            try checkBlocks()
        } catch {
            OPENSSL_cleanse(output, input.count)
            throw error
        }
        return input.count
    }

    func finish(_ output: UnsafeMutablePointer<UInt8>, expectedTag: [UInt8]?) throws -> Int {
        try checkBlocks()
        if let tag = expectedTag {
            // Compares with CRYPTO_memcmp (constant time); 0 when the tag verifies.
            guard CRYPTO_gcm128_finish(gcm, tag, tag.count) == 0 else {
                try checkBlocks()
                throw CryptoError(.cryptographicFailure, "AES-GCM: the authentication tag does not verify")
            }
        }
        return 0
    }

    func tag(length: Int) throws -> [UInt8] {
        var tag = [UInt8](repeating: 0, count: length)
        CRYPTO_gcm128_tag(gcm, &tag, length)
        try checkBlocks()
        return tag
    }
}
