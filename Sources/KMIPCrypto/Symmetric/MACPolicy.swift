import KMIP

/// Which hashing algorithms HMAC may use, for generating (KMIP MAC) and for verifying (MAC Verify).
/// A value the engine holds and passes in — there is no global switch.
public struct MACPolicy: Sendable, Hashable {
    public var refusedForGeneration: Set<HashingAlgorithm>
    public var refusedForVerification: Set<HashingAlgorithm>
    /// The shortest truncated MAC that MAC Verify compares (with the same leading bytes of the full
    /// MAC); shorter ones do not verify. 10 bytes is RFC 2104 §5's floor of 80 bits; a full-length
    /// MAC always qualifies, whatever this says.
    public var minimumVerifiedLength: Int

    public init(refusedForGeneration: Set<HashingAlgorithm>, refusedForVerification: Set<HashingAlgorithm>,
                minimumVerifiedLength: Int = 10) {
        self.refusedForGeneration = refusedForGeneration
        self.refusedForVerification = refusedForVerification
        self.minimumVerifiedLength = minimumVerifiedLength
    }

    /// The weak digests: MD2, MD4, MD5 and SHA-1.
    public static let weak: Set<HashingAlgorithm> = [.md2, .md4, .md5, .sha1]

    /// MD4, MD5 and SHA-1 are refused for MAC and MAC Verify (docs/security.md, Algorithms).
    public static let `default` = MACPolicy(refusedForGeneration: weak, refusedForVerification: weak)
    /// Verifies old MACs made with the weak digests, but makes no new ones.
    public static let verifyLegacy = MACPolicy(refusedForGeneration: weak, refusedForVerification: [])
    /// Refuses nothing (what OpenSSL offers is still the limit). For tests and migrations.
    public static let permissive = MACPolicy(refusedForGeneration: [], refusedForVerification: [])

    public enum Use: String, Sendable { case generation = "generation", verification = "verification" }

    /// Throws Cryptographic Failure naming the algorithm when the policy refuses it for `use`.
    public func check(_ algorithm: HashingAlgorithm, for use: Use) throws {
        let refused = use == .generation ? refusedForGeneration : refusedForVerification
        if refused.contains(algorithm) {
            throw CryptoError(.cryptographicFailure, "HMAC with \(algorithm) is refused by policy for MAC \(use.rawValue)")
        }
    }
}
