import COpenSSL

/// KMIP RNG Retrieve and RNG Seed over OpenSSL's DRBG (thread-safe: OpenSSL keeps a DRBG per thread).
public enum RNG {
    /// Most bytes one RNG Retrieve (or RNG Seed) takes: 64 KiB. A request asking for more fails
    /// with Invalid Field before anything is allocated.
    public static let maxCount = 64 << 10

    /// `count` random bytes from RAND_bytes (1…`maximum`).
    public static func retrieve(count: Int, maximum: Int = maxCount) throws -> SecretBytes {
        guard count > 0 else { throw CryptoError.invalidField("RNG Retrieve needs a positive length, got \(count)") }
        guard count <= maximum else { throw CryptoError.invalidField("RNG Retrieve of \(count) bytes is over the limit of \(maximum)") }
        return try SecretBytes(count: count) { out in
            try check(RAND_bytes(out.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count)), "RAND_bytes")
        }
    }

    /// Mixes `data` into OpenSSL's primary DRBG as additional input to a reseed (RAND_add): the
    /// DRBG keeps its own entropy sources and state, so seed data can never replace or weaken it,
    /// and it is credited with no entropy. Empty data is refused (Invalid Field); at most `maximum` bytes.
    public static func seed(_ data: [UInt8], maximum: Int = maxCount) throws {
        guard !data.isEmpty else { throw CryptoError.invalidField("RNG Seed needs data") }
        guard data.count <= maximum else { throw CryptoError.invalidField("RNG Seed of \(data.count) bytes is over the limit of \(maximum)") }
        RAND_add(data, Int32(data.count), 0)
        // RAND_add reports nothing; make sure the generator is still in working order.
        guard RAND_status() == 1 else { throw CryptoError.openSSL("RAND_add left the DRBG unseeded") }
    }
}
