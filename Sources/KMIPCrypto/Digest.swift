import COpenSSL
import KMIP
import NIOConcurrencyHelpers

/// A message digest of the KMIP Hashing Algorithm enumeration, fetched once from OpenSSL.
public struct DigestAlgorithm: Sendable, Hashable, CustomStringConvertible {
    public let hashingAlgorithm: HashingAlgorithm
    /// OpenSSL's name for it ("SHA2-256", "SHA3-512", "RIPEMD-160"…).
    public let openSSLName: String
    /// Output length in bytes.
    public let size: Int
    let md: UnsafeSendable<OpaquePointer>

    public var description: String { hashingAlgorithm.description }

    /// The OpenSSL names of the KMIP hashing algorithms that OpenSSL 3's default provider offers.
    static let names: [HashingAlgorithm: String] = [
        .md5: "MD5", .sha1: "SHA1", .sha224: "SHA2-224", .sha256: "SHA2-256", .sha384: "SHA2-384", .sha512: "SHA2-512",
        .ripemd160: "RIPEMD-160", .sha512224: "SHA2-512/224", .sha512256: "SHA2-512/256",
        .sha3224: "SHA3-224", .sha3256: "SHA3-256", .sha3384: "SHA3-384", .sha3512: "SHA3-512",
    ]

    static let fetched: [HashingAlgorithm: DigestAlgorithm] = {
        var all: [HashingAlgorithm: DigestAlgorithm] = [:]
        for (alg, name) in names {
            guard let md = EVP_MD_fetch(nil, name, nil) else { OpenSSLErrors.clear(); continue }
            all[alg] = DigestAlgorithm(hashingAlgorithm: alg, openSSLName: name, size: Int(EVP_MD_get_size(md)), md: UnsafeSendable(md))
        }
        return all
    }()

    /// The digest for a KMIP Hashing Algorithm; MD2, MD4 and anything the provider lacks fail
    /// with Cryptographic Failure.
    public init(_ algorithm: HashingAlgorithm) throws {
        guard let d = Self.fetched[algorithm] else { throw CryptoError.unsupported("hashing algorithm \(algorithm)") }
        self = d
    }

    init(hashingAlgorithm: HashingAlgorithm, openSSLName: String, size: Int, md: UnsafeSendable<OpaquePointer>) {
        self.hashingAlgorithm = hashingAlgorithm
        self.openSSLName = openSSLName
        self.size = size
        self.md = md
    }

    public static func == (a: Self, b: Self) -> Bool { a.hashingAlgorithm == b.hashingAlgorithm }
    public func hash(into h: inout Hasher) { h.combine(hashingAlgorithm) }

    /// The digest of `data` in one call.
    public func hash(_ data: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        try check(EVP_Digest(data, data.count, &out, &length, md.value, nil), "EVP_Digest \(openSSLName)")
        return Array(out[0..<Int(length)])
    }
}

/// A streaming digest: `update` any number of times, then `finalize` once.
///
/// Meant for **one task at a time** (a stream is ordered); it is `Sendable` so that it can move
/// between tasks, and a lock serialises the calls, so concurrent misuse gives a wrong digest rather
/// than corrupt memory.
public final class DigestContext: @unchecked Sendable {
    public let algorithm: DigestAlgorithm
    /// Guards `ctx` and `finished`.
    private let lock = NIOLock()
    private let ctx: OpaquePointer
    private var finished = false

    public init(_ algorithm: DigestAlgorithm) throws {
        self.algorithm = algorithm
        guard let ctx = EVP_MD_CTX_new() else { throw CryptoError.openSSL("EVP_MD_CTX_new") }
        self.ctx = ctx
        try check(EVP_DigestInit_ex2(ctx, algorithm.md.value, nil), "EVP_DigestInit_ex2 \(algorithm.openSSLName)")
    }

    deinit { EVP_MD_CTX_free(ctx) }

    public func update(_ data: [UInt8]) throws {
        try lock.withLock {
            guard !finished else { throw CryptoError(.cryptographicFailure, "digest already finalized") }
            try check(EVP_DigestUpdate(ctx, data, data.count), "EVP_DigestUpdate")
        }
    }

    public func finalize() throws -> [UInt8] {
        try lock.withLock {
            guard !finished else { throw CryptoError(.cryptographicFailure, "digest already finalized") }
            finished = true
            var out = [UInt8](repeating: 0, count: algorithm.size)
            var length: UInt32 = 0
            try check(EVP_DigestFinal_ex(ctx, &out, &length), "EVP_DigestFinal_ex")
            return Array(out[0..<Int(length)])
        }
    }
}

/// An OpenSSL object that is immutable once made (a fetched algorithm), shared across threads.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
