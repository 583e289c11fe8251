import Benchmark
import KMIPCrypto

// KMIPCrypto's operations on one core, each a whole KMIP-level operation (an Encrypt sets its key,
// draws its IV and makes its tag). `bench/openssl-speed.sh` prints the `openssl speed` reference
// figures for the same operations.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .memoryLeaked], maxDuration: .seconds(2))

    for size in [64, 1024] {
        Benchmark("AES-256-GCM encrypt \(size) B") { benchmark, gcm in
            let data = [UInt8](repeating: 0x5A, count: size)
            for _ in benchmark.scaledIterations { blackHole(try gcm.encrypt(data, iv: gcm.randomIV())) }
        } setup: {
            try SymmetricCipher(algorithm: .aes, key: try RNG.retrieve(count: 32),
                                parameters: SymmetricParameters(mode: .gcm, padding: SymmetricPadding.none))
        }
    }
    let digest = try! DigestAlgorithm(.sha256).hash(Array("strongroom".utf8))
    Benchmark("RSA-2048 sign (PKCS#1 v1.5, SHA-256)") { benchmark, key in
        for _ in benchmark.scaledIterations { blackHole(try key.sign(digest: digest, scheme: .rsaPKCS1v15(.sha256))) }
    } setup: { try AsymmetricKey.generateRSA(bits: 2048) }
    Benchmark("ECDSA P-256 sign") { benchmark, key in
        for _ in benchmark.scaledIterations { blackHole(try key.sign(digest: digest, scheme: .ecdsa(.sha256))) }
    } setup: { try AsymmetricKey.generateEC(curve: .p256) }
    Benchmark("Ed25519 sign") { benchmark, key in
        for _ in benchmark.scaledIterations { blackHole(try key.sign(digest, scheme: .ed25519)) }
    } setup: { try AsymmetricKey.generateEd25519() }
}
