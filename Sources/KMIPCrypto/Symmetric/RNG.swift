#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import COpenSSL
import NIOConcurrencyHelpers

/// KMIP RNG Retrieve and RNG Seed over OpenSSL's DRBG (thread-safe: OpenSSL keeps a DRBG per thread).
public enum RNG {
    /// `count` random bytes from RAND_bytes (1…`maximum`, by default `CryptoLimits.maxRNGCount`).
    public static func retrieve(count: Int, maximum: Int = CryptoLimits.maxRNGCount) throws -> SecretBytes {
        guard count > 0 else { throw CryptoError.invalidField("RNG Retrieve needs a positive length, got \(count)") }
        guard count <= maximum else { throw CryptoError.invalidField("RNG Retrieve of \(count) bytes is over the limit of \(maximum)") }
        return try SecretBytes(count: count) { out in
            try check(RAND_bytes(out.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count)), "RAND_bytes")
        }
    }

    /// Mixes `data` into OpenSSL's primary DRBG as additional input to a reseed (RAND_add): the
    /// DRBG keeps its own entropy sources and state, so seed data can never replace or weaken it,
    /// and it is credited with no entropy. Empty data is refused (Invalid Field); at most `maximum` bytes.
    public static func seed(_ data: [UInt8], maximum: Int = CryptoLimits.maxRNGCount) throws {
        guard !data.isEmpty else { throw CryptoError.invalidField("RNG Seed needs data") }
        guard data.count <= maximum else { throw CryptoError.invalidField("RNG Seed of \(data.count) bytes is over the limit of \(maximum)") }
        RAND_add(data, Int32(data.count), 0)
        // RAND_add reports nothing; make sure the generator is still in working order.
        guard RAND_status() == 1 else { throw CryptoError.openSSL("RAND_add left the DRBG unseeded") }
        // It may have left entries on this thread's error queue all the same; they are not ours to
        // pass on to the next failure's message.
        OpenSSLErrors.clear()
    }

    /// `count` bytes of DRBG output for values that are sent in the clear: IVs and nonces (KMIP
    /// Random IV). Not for keys or other secrets — use `retrieve`.
    ///
    /// A RAND_bytes call costs about a microsecond whatever its length (more than a whole small
    /// AES-GCM encryption), so small requests are served from `PublicRandomBuffer`, which one
    /// RAND_bytes call fills 4 KiB at a time; every byte is handed out once. Requests over 256
    /// bytes go to RAND_bytes directly.
    static func publicBytes(count: Int) throws -> [UInt8] {
        precondition(count >= 0)
        if count > PublicRandomBuffer.largestRequest {
            return try [UInt8](unsafeUninitializedCapacity: count) { out, written in
                try check(RAND_bytes(out.baseAddress!, Int32(count)), "RAND_bytes")
                written = count
            }
        }
        return try PublicRandomBuffer.shared.take(count)
    }
}

/// DRBG output buffered for `RNG.publicBytes`. Each byte is handed out once (a GCM nonce must not
/// repeat), and the buffer is dropped in a child process after `fork`, which would otherwise hand
/// out the same bytes as its parent.
final class PublicRandomBuffer: @unchecked Sendable {
    static let shared = PublicRandomBuffer()
    static let capacity = 4096
    static let largestRequest = 256

    /// Forks seen (counted in the child by a `pthread_atfork` handler). Written only in a child
    /// right after `fork`, when it has a single thread; read under `lock`.
    nonisolated(unsafe) static var forks = 0

    /// Guards `buffer` and `state` (plain memory: no exclusivity checks on this hot path).
    private let lock = NIOLock()
    private let buffer: UnsafeMutablePointer<UInt8>
    private let state: UnsafeMutablePointer<State>

    private struct State {
        /// Bytes not yet handed out: the last `available` of the buffer.
        var available = 0
        /// `forks` when the buffer was filled.
        var generation = 0
    }

    private init() {
        buffer = .allocate(capacity: Self.capacity)
        buffer.initialize(repeating: 0, count: Self.capacity)
        state = .allocate(capacity: 1)
        state.initialize(to: State())
        pthread_atfork(nil, nil) { PublicRandomBuffer.forks &+= 1 }
    }

    func take(_ count: Int) throws -> [UInt8] {
        precondition(count <= Self.largestRequest)
        return try [UInt8](unsafeUninitializedCapacity: count) { out, written in
            try lock.withLock {
                if state.pointee.available < count || state.pointee.generation != Self.forks {
                    state.pointee.available = 0
                    guard RAND_bytes(buffer, Int32(Self.capacity)) == 1 else { throw CryptoError.openSSL("RAND_bytes") }
                    state.pointee = State(available: Self.capacity, generation: Self.forks)
                }
                let start = buffer + (Self.capacity - state.pointee.available)
                out.baseAddress!.initialize(from: start, count: count)
                start.update(repeating: 0, count: count)
                state.pointee.available -= count
            }
            written = count
        }
    }
}
