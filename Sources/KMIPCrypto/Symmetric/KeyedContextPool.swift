import COpenSSL
import NIOConcurrencyHelpers

/// Keyed EVP_CIPHER_CTXs for the one-shot operations of a `SymmetricCipher` (and its copies), one
/// stack per direction: the key schedule (and for GCM the GHASH key) is computed once per context,
/// and each operation only resets the IV with `EVP_CipherInit_ex2(ctx, nil, nil, iv, enc, nil)`,
/// as `openssl speed -aead` does.
///
/// Thread-safe: an operation takes a context for itself (from the stack, or a new one) and gives
/// it back when it has succeeded; a failed operation discards its context instead, so none comes
/// back in an unknown state. At most `CryptoLimits.maxIdleCipherContexts` per direction stay idle;
/// the others are freed. EVP_CIPHER_CTX_free wipes the key schedule (OpenSSL clears the provider
/// context before freeing it), as does dropping the last copy of the cipher.
final class KeyedContextPool: @unchecked Sendable {
    private static let capacity = CryptoLimits.maxIdleCipherContexts

    /// Guards `slots` and `counts`. Plain memory rather than arrays in stored properties: this is
    /// on the path of every one-shot operation, and needs neither growth nor exclusivity checks.
    private let lock = NIOLock()
    /// `capacity` slots for encryption, then `capacity` for decryption.
    private let slots: UnsafeMutablePointer<OpaquePointer?>
    /// Idle contexts: [encryption, decryption].
    private let counts: UnsafeMutablePointer<Int>

    init() {
        slots = .allocate(capacity: 2 * Self.capacity)
        slots.initialize(repeating: nil, count: 2 * Self.capacity)
        counts = .allocate(capacity: 2)
        counts.initialize(repeating: 0, count: 2)
    }

    deinit {
        for d in 0..<2 {
            for i in 0..<counts[d] { EVP_CIPHER_CTX_free(slots[d * Self.capacity + i]) }
        }
        slots.deallocate()
        counts.deallocate()
    }

    @inline(__always) private static func index(_ direction: SymmetricCipherContext.Direction) -> Int { direction == .encrypt ? 0 : 1 }

    /// A context keyed for `cipher` in `direction`, with no operation under way.
    func take(_ cipher: SymmetricCipher, _ direction: SymmetricCipherContext.Direction) throws -> OpaquePointer {
        let d = Self.index(direction)
        let idle: OpaquePointer? = lock.withLock {
            guard counts[d] > 0 else { return nil }
            counts[d] -= 1
            let slot = slots + (d * Self.capacity + counts[d])
            defer { slot.pointee = nil }
            return slot.pointee
        }
        if let idle { return idle }
        return try EVPCipherSteps.keyed(cipher, direction)
    }

    /// Returns a context after a successful operation (it must have been taken for `direction`).
    func give(_ ctx: OpaquePointer, _ direction: SymmetricCipherContext.Direction) {
        let d = Self.index(direction)
        let kept = lock.withLock {
            guard counts[d] < Self.capacity else { return false }
            slots[d * Self.capacity + counts[d]] = ctx
            counts[d] += 1
            return true
        }
        if !kept { EVP_CIPHER_CTX_free(ctx) }
    }

    /// Frees a context whose operation failed.
    func discard(_ ctx: OpaquePointer) {
        OpenSSLErrors.clear()
        EVP_CIPHER_CTX_free(ctx)
    }

    /// How many contexts wait in `direction` (for tests).
    func idleCount(_ direction: SymmetricCipherContext.Direction) -> Int {
        lock.withLock { counts[Self.index(direction)] }
    }
}
