import COpenSSL
import KMIP
import NIOConcurrencyHelpers

/// HMAC (RFC 2104) over any hashing algorithm `DigestAlgorithm` offers, through OpenSSL's EVP_MAC
/// "HMAC". Immutable and `Sendable`; every operation makes its own OpenSSL context.
///
/// The `MACPolicy` is checked for every operation: generation (`mac`, `generator`) against
/// `refusedForGeneration`, verification (`verify`, `verifier`) against `refusedForVerification`.
public struct HMAC: Sendable, CustomStringConvertible {
    public let digest: DigestAlgorithm
    public let policy: MACPolicy
    let key: SecretBytes

    static let mac: UnsafeSendable<OpaquePointer>? = {
        guard let m = EVP_MAC_fetch(nil, "HMAC", nil) else { OpenSSLErrors.clear(); return nil }
        return UnsafeSendable(m)
    }()

    public var description: String { "HMAC-\(digest)" }
    /// The full MAC length in bytes (the digest size).
    public var macLength: Int { digest.size }
    /// The shortest truncated MAC `verify` compares: the policy's `minimumVerifiedLength`, at most the full length.
    public var minimumVerifiedLength: Int { min(digest.size, max(1, policy.minimumVerifiedLength)) }

    /// - Throws: Cryptographic Failure when the hashing algorithm is not offered (MD2, MD4…),
    ///   Invalid Field for an empty key.
    public init(_ algorithm: HashingAlgorithm, key: SecretBytes, policy: MACPolicy = .default) throws {
        digest = try DigestAlgorithm(algorithm)
        guard !key.isEmpty else { throw CryptoError.invalidField("an HMAC key is not empty") }
        guard Self.mac != nil else { throw CryptoError.unsupported("HMAC (not offered by the OpenSSL provider)") }
        self.key = key
        self.policy = policy
    }

    /// The HMAC of `data` in one call (policy: generation).
    public func mac(_ data: [UInt8]) throws -> [UInt8] {
        let ctx = try generator()
        try ctx.update(data)
        return try ctx.finalize()
    }

    /// Whether `mac` is the HMAC of `data` (or its leading bytes, at least `minimumVerifiedLength`), compared
    /// in constant time (policy: verification). A MAC of any other length is false.
    public func verify(mac: [UInt8], for data: [UInt8]) throws -> Bool {
        let ctx = try verifier()
        try ctx.update(data)
        return try ctx.verify(mac: mac)
    }

    /// A streaming HMAC for KMIP MAC (policy: generation).
    public func generator() throws -> HMACContext {
        try policy.check(digest.hashingAlgorithm, for: .generation)
        return try HMACContext(self, use: .generation)
    }

    /// A streaming HMAC for KMIP MAC Verify (policy: verification).
    public func verifier() throws -> HMACContext {
        try policy.check(digest.hashingAlgorithm, for: .verification)
        return try HMACContext(self, use: .verification)
    }
}

/// A streaming HMAC: `update` any number of times, then `finalize` (generation) or `verify(mac:)`
/// (verification) once. Kept across KMIP requests by Correlation Value, so it is `Sendable`; it is
/// meant for **one task at a time** (a stream is ordered), and a lock serialises the calls, so
/// concurrent misuse gives a wrong MAC rather than corrupt memory. Spent after any error.
public final class HMACContext: @unchecked Sendable {
    public let hmac: HMAC
    public let use: MACPolicy.Use
    /// Guards `ctx` and `open`.
    private let lock = NIOLock()
    private let ctx: OpaquePointer
    private var open = true

    init(_ hmac: HMAC, use: MACPolicy.Use) throws {
        self.hmac = hmac
        self.use = use
        guard let mac = HMAC.mac, let ctx = EVP_MAC_CTX_new(mac.value) else { throw CryptoError.openSSL("EVP_MAC_CTX_new HMAC") }
        self.ctx = ctx
        let name = hmac.digest.openSSLName
        let rc = name.withCString { digestName in
            "digest".withCString { key in
                var params = [
                    OSSL_PARAM_construct_utf8_string(key, UnsafeMutablePointer(mutating: digestName), 0),
                    OSSL_PARAM_construct_end(),
                ]
                return hmac.key.withKeyPointer { k, count in EVP_MAC_init(ctx, k, count, &params) }
            }
        }
        try check(rc, "EVP_MAC_init HMAC-\(name)")
    }

    deinit { EVP_MAC_CTX_free(ctx) }

    /// Call holding the lock.
    private func begin() throws {
        guard open else { throw CryptoError(.cryptographicFailure, "the \(hmac) stream is already finished") }
    }

    public func update(_ data: [UInt8]) throws {
        try lock.withLock {
            try begin()
            if data.isEmpty { return }
            guard data.count <= CryptoLimits.maxMACUpdateLength else {
                open = false
                throw CryptoError.invalidField("\(data.count) bytes is too much for one MAC update")
            }
            guard EVP_MAC_update(ctx, data, data.count) == 1 else {
                open = false
                throw CryptoError.openSSL("EVP_MAC_update \(hmac)")
            }
        }
    }

    private func final() throws -> [UInt8] {
        try lock.withLock {
            try begin()
            open = false
            var out = [UInt8](repeating: 0, count: max(hmac.macLength, 64))
            var outl = 0
            try check(EVP_MAC_final(ctx, &out, &outl, out.count), "EVP_MAC_final \(hmac)")
            return Array(out[0..<outl])
        }
    }

    /// The MAC (generation contexts only).
    public func finalize() throws -> [UInt8] {
        guard use == .generation else { throw CryptoError(.cryptographicFailure, "a MAC Verify stream ends with verify(mac:)") }
        return try final()
    }

    /// Whether `mac` matches, in constant time; truncated MACs down to `HMAC.minimumVerifiedLength`
    /// bytes are compared with the same leading bytes (verification contexts only).
    public func verify(mac: [UInt8]) throws -> Bool {
        guard use == .verification else { throw CryptoError(.cryptographicFailure, "a MAC stream ends with finalize()") }
        let full = try final()
        guard mac.count >= hmac.minimumVerifiedLength, mac.count <= full.count else { return false }
        return constantTimeEquals(Array(full[0..<mac.count]), mac)
    }
}
