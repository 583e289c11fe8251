import COpenSSL
import KMIP

/// Streaming signature: `update` with the message in any number of pieces, then `finalize` once.
/// RSA (PKCS#1 v1.5, PSS) and ECDSA; Ed25519 has no streaming form (Feature Not Supported at init).
/// One task at a time: the engine keeps a context per KMIP Correlation Value and never shares it
/// between concurrent requests.
public final class SigningContext: @unchecked Sendable {
    public let key: AsymmetricKey
    public let scheme: SignatureScheme
    let resolved: ResolvedSignature
    let digest: DigestContext

    public init(key: AsymmetricKey, scheme: SignatureScheme) throws {
        let resolved = try ResolvedSignature(scheme, key: key, purpose: .sign, policy: .standard)
        guard let d = resolved.digest else { throw CryptoError(.featureNotSupported, "Ed25519 signatures are one-shot, not streamed") }
        self.key = key
        self.scheme = scheme
        self.resolved = resolved
        digest = try DigestContext(d)
    }

    public func update(_ data: [UInt8]) throws {
        try digest.update(data)
    }

    /// The signature of everything given to `update`. Once only.
    public func finalize() throws -> [UInt8] {
        try key.signResolved(digest.finalize(), resolved)
    }
}

/// Streaming verification, the mirror of `SigningContext`. One task at a time.
public final class VerificationContext: @unchecked Sendable {
    public let key: AsymmetricKey
    public let scheme: SignatureScheme
    let resolved: ResolvedSignature
    let digest: DigestContext

    public init(key: AsymmetricKey, scheme: SignatureScheme, policy: SignaturePolicy = .standard) throws {
        let resolved = try ResolvedSignature(scheme, key: key, purpose: .verify, policy: policy)
        guard let d = resolved.digest else { throw CryptoError(.featureNotSupported, "Ed25519 signatures are one-shot, not streamed") }
        self.key = key
        self.scheme = scheme
        self.resolved = resolved
        digest = try DigestContext(d)
    }

    public func update(_ data: [UInt8]) throws {
        try digest.update(data)
    }

    /// True when `signature` signs everything given to `update`. Once only.
    public func finalize(signature: [UInt8]) throws -> Bool {
        try key.verifyResolved(signature, digest: digest.finalize(), resolved)
    }
}
