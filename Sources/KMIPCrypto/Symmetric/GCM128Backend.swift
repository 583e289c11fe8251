import COpenSSL

/// AES-GCM for nonces longer than the 128 bytes OpenSSL 3.0's EVP GCM accepts (SP 800-38D allows
/// them; Wycheproof tests 257-byte ones). It is OpenSSL's own GCM (`CRYPTO_gcm128_*`, GHASH with
/// PCLMUL where the CPU has it) over AES blocks from an EVP AES-ECB context, so no primitive is
/// written here. Slower per block than EVP GCM; only these rare nonces use it.
final class GCM128Backend: SymmetricBackend {
    let ecb: OpaquePointer
    let gcm: OpaquePointer
    let direction: SymmetricCipherContext.Direction

    /// One AES block through the ECB context that `key` points to.
    private static let block: block128_f = { input, output, key in
        var outl: Int32 = 0
        _ = EVP_EncryptUpdate(OpaquePointer(key), output, &outl, input, 16)
    }

    init(_ cipher: SymmetricCipher, _ direction: SymmetricCipherContext.Direction, nonce: [UInt8], additionalData: [UInt8]) throws {
        precondition(cipher.algorithm == .aes && cipher.parameters.mode == .gcm)
        self.direction = direction
        guard let ecb = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("EVP_CIPHER_CTX_new") }
        self.ecb = ecb
        let ecbCipher: UnsafeSendable<OpaquePointer>
        do { ecbCipher = try CipherCatalog.cipher("AES-\(cipher.keyLength)-ECB") } catch { EVP_CIPHER_CTX_free(ecb); throw error }
        let keyed = cipher.key.withKeyPointer { key, _ in EVP_EncryptInit_ex2(ecb, ecbCipher.value, key, nil, nil) }
        guard keyed == 1, EVP_CIPHER_CTX_set_padding(ecb, 0) == 1 else {
            let e = CryptoError.openSSL("EVP_EncryptInit_ex2 AES-\(cipher.keyLength)-ECB")
            EVP_CIPHER_CTX_free(ecb)
            throw e
        }
        guard let gcm = CRYPTO_gcm128_new(UnsafeMutableRawPointer(ecb), Self.block) else {
            EVP_CIPHER_CTX_free(ecb)
            throw CryptoError.openSSL("CRYPTO_gcm128_new")
        }
        self.gcm = gcm
        CRYPTO_gcm128_setiv(gcm, nonce, nonce.count)
        if !additionalData.isEmpty {
            guard CRYPTO_gcm128_aad(gcm, additionalData, additionalData.count) == 0 else {
                throw CryptoError(.cryptographicFailure, "AES-GCM: additional data refused")
            }
        }
    }

    deinit {
        CRYPTO_gcm128_release(gcm)
        EVP_CIPHER_CTX_free(ecb)
    }

    func update(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutablePointer<UInt8>) throws -> Int {
        let inp = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let rc = direction == .encrypt
            ? CRYPTO_gcm128_encrypt(gcm, inp, output, input.count)
            : CRYPTO_gcm128_decrypt(gcm, inp, output, input.count)
        guard rc == 0 else { throw CryptoError(.cryptographicFailure, "AES-GCM: message too long") }
        return input.count
    }

    func finish(_ output: UnsafeMutablePointer<UInt8>, expectedTag: [UInt8]?) throws -> Int {
        if let tag = expectedTag {
            // Compares with CRYPTO_memcmp (constant time); 0 when the tag verifies.
            guard CRYPTO_gcm128_finish(gcm, tag, tag.count) == 0 else {
                throw CryptoError(.cryptographicFailure, "AES-GCM: the authentication tag does not verify")
            }
        }
        return 0
    }

    func tag(length: Int) throws -> [UInt8] {
        var tag = [UInt8](repeating: 0, count: length)
        CRYPTO_gcm128_tag(gcm, &tag, length)
        return tag
    }
}
