import COpenSSL

/// The OpenSSL symmetric ciphers KMIPCrypto uses, fetched once from the default provider and shared
/// (a fetched EVP_CIPHER is immutable and safe to use from any thread).
enum CipherCatalog {
    static let names: [String] = {
        var names: [String] = []
        for bits in [128, 192, 256] {
            for mode in ["ECB", "CBC", "CFB", "OFB", "CTR", "GCM", "WRAP", "WRAP-PAD"] { names.append("AES-\(bits)-\(mode)") }
        }
        // Three-key 3DES; CFB is CFB64. OpenSSL has no 3DES-CTR.
        names += ["DES-EDE3-ECB", "DES-EDE3-CBC", "DES-EDE3-CFB", "DES-EDE3-OFB"]
        names += ["ChaCha20", "ChaCha20-Poly1305"]
        return names
    }()

    static let fetched: [String: UnsafeSendable<OpaquePointer>] = {
        var all: [String: UnsafeSendable<OpaquePointer>] = [:]
        for name in names {
            guard let c = EVP_CIPHER_fetch(nil, name, nil) else { OpenSSLErrors.clear(); continue }
            all[name] = UnsafeSendable(c)
        }
        return all
    }()

    /// The fetched cipher, or Cryptographic Failure naming it when the provider lacks it.
    static func cipher(_ name: String) throws -> UnsafeSendable<OpaquePointer> {
        guard let c = fetched[name] else { throw CryptoError.unsupported("cipher \(name) (not offered by the OpenSSL provider)") }
        return c
    }

    /// Blowfish, from OpenSSL's legacy provider loaded into a library context of its own: the
    /// default context, which every other operation uses, never offers a legacy algorithm. Only
    /// Derive Key's derivation by encryption reaches these (``SymmetricCipher/forDerivation(algorithm:key:cryptographicParameters:)``).
    static let legacyFetched: [String: UnsafeSendable<OpaquePointer>] = {
        guard let context = OSSL_LIB_CTX_new() else { return [:] }
        guard OSSL_PROVIDER_load(context, "legacy") != nil else {
            OpenSSLErrors.clear()
            OSSL_LIB_CTX_free(context)
            return [:]
        }
        // The context and provider live as long as the process: the fetched ciphers point into them.
        var all: [String: UnsafeSendable<OpaquePointer>] = [:]
        for name in ["BF-ECB", "BF-CBC", "BF-CFB", "BF-OFB"] {
            guard let c = EVP_CIPHER_fetch(context, name, nil) else { OpenSSLErrors.clear(); continue }
            all[name] = UnsafeSendable(c)
        }
        return all
    }()

    static func legacyCipher(_ name: String) throws -> UnsafeSendable<OpaquePointer> {
        guard let c = legacyFetched[name] else {
            throw CryptoError.unsupported("cipher \(name) (OpenSSL's legacy provider is not installed)")
        }
        return c
    }
}

/// A heap buffer for secrets that grows without leaving copies behind: the old storage is wiped
/// with `OPENSSL_cleanse` before it is freed, and so is the last one in deinit.
final class WipingBuffer {
    private var storage: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    init(capacity: Int = 256) { storage = .allocate(byteCount: max(capacity, 16), alignment: 16) }

    deinit {
        wipe()
        storage.deallocate()
    }

    /// Makes room for `extra` bytes and lets `body` write into them; `body` returns how many it wrote.
    func append(reserving extra: Int, _ body: (UnsafeMutablePointer<UInt8>) throws -> Int) rethrows {
        if count + extra > storage.count {
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: max(storage.count * 2, count + extra), alignment: 16)
            grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<count]))
            OPENSSL_cleanse(storage.baseAddress, storage.count)
            storage.deallocate()
            storage = grown
        }
        let written = try body(storage.baseAddress!.advanced(by: count).assumingMemoryBound(to: UInt8.self))
        precondition(written >= 0 && written <= extra)
        count += written
    }

    /// A copy of the contents followed by `tail`, made in one array (no intermediate copy).
    func bytes(appending tail: [UInt8]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count + tail.count) { out, written in
            UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<count]))
            UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(out)[count...]).copyBytes(from: tail)
            written = count + tail.count
        }
    }

    func wipe() {
        OPENSSL_cleanse(storage.baseAddress, storage.count)
        count = 0
    }
}

extension SecretBytes {
    /// The bytes as OpenSSL takes a key (`const unsigned char *`); never nil, even when empty.
    func withKeyPointer<R>(_ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
        try body(UnsafePointer(storage.pointer.baseAddress!.assumingMemoryBound(to: UInt8.self)), count)
    }
}
