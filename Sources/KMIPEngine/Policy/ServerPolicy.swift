import KMIP

/// What the server states about itself and sets on objects by policy.
enum ServerPolicy {
    /// OpenSSL's default DRBG: CTR-DRBG over AES-256. Stated by Query RNGs and set as the Random
    /// Number Generator of every key the server generates.
    static let rng: RNGParameters = {
        var rng = RNGParameters()
        rng.rngAlgorithm = .drbg
        rng.drbgAlgorithm = .ctr
        rng.cryptographicAlgorithm = .aes
        rng.cryptographicLength = 256
        return rng
    }()

    /// The Lease Time set on every new object: how long a client may use it before it must
    /// Obtain Lease again. A year: leases are advisory here, nothing revokes an expired one.
    static let leaseTime = Interval(seconds: 365 * 24 * 3600)
}
