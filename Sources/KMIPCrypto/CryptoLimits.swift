/// KMIPCrypto's fixed safety limits, in one place. Every length a client controls is
/// checked against one of these before anything is allocated from it; going over fails with
/// Invalid Field.
public enum CryptoLimits {
    // MARK: - Symmetric encryption

    /// Most plaintext a streamed GCM decryption holds back until its tag has verified: 64 MiB.
    /// Checked before the buffer for it is allocated or grown.
    public static let maxWithheldPlaintext = 64 << 20

    /// Largest input to one `SymmetricCipherContext.update` or one-shot encrypt/decrypt: OpenSSL's
    /// EVP_CipherUpdate takes an `int` length, and the output needs a block or two more.
    public static let maxSymmetricUpdateLength = Int(Int32.max) - 64

    /// Largest GCM nonce (IV) accepted, in bytes. OpenSSL 3.0's EVP GCM stops at 128 bytes; longer
    /// nonces, which SP 800-38D allows and Wycheproof tests, go through OpenSSL's GCM128.
    public static let maxGCMNonceLength = 1024

    /// Shortest GCM nonce the server generates itself (KMIP Random IV, `SymmetricCipher.randomIV()`):
    /// 96 bits, as SP 800-38D §8.2.2 requires of RBG-based nonces. Nonces a client supplies may be
    /// shorter (1 byte and up).
    public static let minGeneratedGCMNonceLength = 12

    /// Most keyed OpenSSL contexts a `SymmetricCipher` keeps idle per direction for its one-shot
    /// operations (more are made when more threads use it at once, and freed afterwards). Each is
    /// about a kilobyte, and holds a key schedule.
    public static let maxIdleCipherContexts = 8

    // MARK: - Key wrap

    /// Largest key `AESKeyWrap` wraps: 1 MiB (OpenSSL takes an `int`, and a key is far smaller).
    /// Wrapped data may be 16 bytes longer.
    public static let maxWrappedKeyLength = 1 << 20

    // MARK: - MAC

    /// Largest input to one `HMACContext.update` (OpenSSL takes a `size_t`; this guards arithmetic).
    public static let maxMACUpdateLength = Int(Int32.max)

    // MARK: - RNG

    /// Most bytes one RNG Retrieve or RNG Seed takes: 64 KiB.
    public static let maxRNGCount = 64 << 10

    // MARK: - Split keys

    /// Most parts one key is split into (each becomes an object): 64.
    public static let maxSplitKeyParts = 64

    /// Longest secret split or joined: 16 KiB (an RSA-8192 private key in PKCS#8 is about 4.8 KiB).
    public static let maxSplitSecretLength = 16 << 10

    /// Largest Prime Field Size for Polynomial Sharing Prime Field, in bits: its primality is tested
    /// before any part is made.
    public static let maxPrimeFieldBits = 4096

    // MARK: - Certificates

    /// Largest certificate parsed for the certificate attributes: 1 MiB (real ones are a few KiB).
    public static let maxCertificateLength = 1 << 20

    // MARK: - RSA keys

    /// RSA modulus lengths offered for key generation, in bits. 1024 only for compatibility (Vault's
    /// transit and old KMIP clients ask for it; SP 800-131A disallows it for new protection);
    /// anything outside is refused with Invalid Field.
    public static let rsaGenerationBitLengths = 1024...4096

    /// RSA modulus lengths accepted on import (every format), in bits. 8192 at most: validation
    /// tests primes and the modulus for primality, at a cost that grows with the cube of the length.
    public static let rsaImportBitLengths = 1024...8192

    /// How many bits longer than half the modulus an imported RSA prime may be (FIPS 186-5 primes
    /// are exactly half; a little imbalance is tolerated). Checked before any arithmetic on it.
    public static let rsaPrimeBitSlack = 32

    /// Longest RSA public exponent, in bits (e < 2^256, SP 800-56B's bound; e must also be odd and
    /// at least 3), for generated and imported keys alike.
    public static let rsaPublicExponentMaximumBits = 256
}
