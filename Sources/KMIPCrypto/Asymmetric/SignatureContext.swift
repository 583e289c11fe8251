import COpenSSL
import KMIP
import NIOConcurrencyHelpers

/// Streaming signature: `update` with the message in any number of pieces, then `finalize` once.
/// RSA (PKCS#1 v1.5, PSS) and ECDSA; Ed25519 has no streaming form (Feature Not Supported at init).
///
/// Intended use is one task at a time: the engine keeps a context per KMIP Correlation Value and
/// never shares it between concurrent requests. The streaming state (the digest's EVP_MD_CTX and
/// whether `finalize` ran) is nevertheless behind a lock, so that a misuse is an ordinary error
/// ("already finalized") or a well-defined interleaving of pieces, never a data race.
public final class SigningContext: @unchecked Sendable {
    public let key: AsymmetricKey
    public let scheme: SignatureScheme
    let resolved: ResolvedSignature
    /// Guards `digest` and `finished`.
    private let lock = NIOLock()
    private let digest: DigestContext
    private var finished = false

    public init(key: AsymmetricKey, scheme: SignatureScheme) throws {
        let resolved = try ResolvedSignature(scheme, key: key, purpose: .sign, policy: .standard)
        let d = try resolved.messageDigest()
        self.key = key
        self.scheme = scheme
        self.resolved = resolved
        digest = try DigestContext(d)
    }

    public func update(_ data: [UInt8]) throws {
        try lock.withLock {
            guard !finished else { throw CryptoError(.cryptographicFailure, "the signing context is already finalized") }
            try digest.update(data)
        }
    }

    /// The signature of everything given to `update`. Once only.
    public func finalize() throws -> [UInt8] {
        let hash = try lock.withLock {
            guard !finished else { throw CryptoError(.cryptographicFailure, "the signing context is already finalized") }
            finished = true
            return try digest.finalize()
        }
        // The key is immutable and thread-safe: the private-key operation runs outside the lock.
        return try key.signResolved(hash, resolved)
    }
}

/// Streaming verification, the mirror of `SigningContext`: one task at a time, state behind a lock.
public final class VerificationContext: @unchecked Sendable {
    public let key: AsymmetricKey
    public let scheme: SignatureScheme
    let resolved: ResolvedSignature
    /// Guards `digest` and `finished`.
    private let lock = NIOLock()
    private let digest: DigestContext
    private var finished = false

    public init(key: AsymmetricKey, scheme: SignatureScheme, policy: SignaturePolicy = .standard) throws {
        let resolved = try ResolvedSignature(scheme, key: key, purpose: .verify, policy: policy)
        let d = try resolved.messageDigest()
        self.key = key
        self.scheme = scheme
        self.resolved = resolved
        digest = try DigestContext(d)
    }

    public func update(_ data: [UInt8]) throws {
        try lock.withLock {
            guard !finished else { throw CryptoError(.cryptographicFailure, "the verification context is already finalized") }
            try digest.update(data)
        }
    }

    /// True when `signature` signs everything given to `update`. Once only.
    public func finalize(signature: [UInt8]) throws -> Bool {
        let hash = try lock.withLock {
            guard !finished else { throw CryptoError(.cryptographicFailure, "the verification context is already finalized") }
            finished = true
            return try digest.finalize()
        }
        return try key.verifyResolved(signature, digest: hash, resolved)
    }
}
