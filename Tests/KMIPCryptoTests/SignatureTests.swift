import Foundation
import KMIP
import XCTest
@testable import KMIPCrypto

final class SignatureTests: XCTestCase {
    typealias Keys = AsymmetricTestKeys
    let message = Array("The quick brown fox jumps over the lazy dog".utf8) + (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    let allDigests = SignatureScheme.digests.sorted { $0.rawValue < $1.rawValue }

    func chunks(_ data: [UInt8], _ size: Int) -> [[UInt8]] {
        stride(from: 0, to: data.count, by: size).map { Array(data[$0..<min($0 + size, data.count)]) }
    }

    /// Sign the message, sign its digest, sign it streamed: every signature verifies in every way,
    /// and none verifies a changed message.
    func checkScheme(_ key: AsymmetricKey, _ scheme: SignatureScheme, deterministic: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        let pub = try key.publicKey()
        let digest = try DigestAlgorithm(scheme.hashingAlgorithm!).hash(message)
        let oneShot = try key.sign(message, scheme: scheme)
        let fromDigest = try key.sign(digest: digest, scheme: scheme)
        let streamer = try SigningContext(key: key, scheme: scheme)
        for c in chunks(message, 7) { try streamer.update(c) }
        let streamed = try streamer.finalize()
        if deterministic {
            XCTAssertEqual(oneShot, fromDigest, "\(scheme)", file: file, line: line)
            XCTAssertEqual(oneShot, streamed, "\(scheme)", file: file, line: line)
        }
        var changed = message
        changed[5] ^= 1
        for sig in [oneShot, fromDigest, streamed] {
            XCTAssertTrue(try pub.verify(sig, message: message, scheme: scheme), "\(scheme)", file: file, line: line)
            XCTAssertTrue(try pub.verify(sig, digest: digest, scheme: scheme), "\(scheme)", file: file, line: line)
            XCTAssertTrue(try key.verify(sig, message: message, scheme: scheme), "\(scheme) with the private key", file: file, line: line)
            let verifier = try VerificationContext(key: pub, scheme: scheme)
            for c in chunks(message, 13) { try verifier.update(c) }
            XCTAssertTrue(try verifier.finalize(signature: sig), "\(scheme) streamed", file: file, line: line)
            XCTAssertFalse(try pub.verify(sig, message: changed, scheme: scheme), "\(scheme) changed message", file: file, line: line)
            var bad = sig
            bad[bad.count / 2] ^= 0x10
            XCTAssertFalse(try pub.verify(bad, message: message, scheme: scheme), "\(scheme) changed signature", file: file, line: line)
        }
        // Malformed signatures are invalid, not errors.
        for junk in [[], Array(oneShot.dropLast()), oneShot + [0], [UInt8](repeating: 0xFF, count: oneShot.count), [0x30, 0x00]] {
            XCTAssertFalse(try pub.verify(junk, message: message, scheme: scheme), "\(scheme) junk", file: file, line: line)
        }
    }

    func testRSAPKCS1v15EveryDigest() throws {
        for h in allDigests { try checkScheme(Keys.rsa2048, .rsaPKCS1v15(h), deterministic: true) }
        try checkScheme(Keys.rsa4096, .rsaPKCS1v15(.sha512), deterministic: true)
        XCTAssertEqual(try Keys.rsa3072.sign(message, scheme: .rsaPKCS1v15(.sha256)).count, 384)
    }

    func testRSAPSSEveryDigest() throws {
        for h in allDigests { try checkScheme(Keys.rsa2048, .rsaPSS(h), deterministic: false) }
        try checkScheme(Keys.rsa3072, .rsaPSS(.sha384, mgf1: .sha1, saltLength: .bytes(20)), deterministic: false)
        try checkScheme(Keys.rsa2048, .rsaPSS(.sha3256, mgf1: .sha512, saltLength: .maximum), deterministic: false)
        try checkScheme(Keys.rsa2048, .rsaPSS(.sha256, saltLength: .bytes(0)), deterministic: true)
    }

    func testPSSSaltLength() throws {
        let key = Keys.rsa2048
        let sig = try key.sign(message, scheme: .rsaPSS(.sha256))
        // The default salt is the digest length.
        XCTAssertTrue(try key.verify(sig, message: message, scheme: .rsaPSS(.sha256, saltLength: .bytes(32))))
        XCTAssertFalse(try key.verify(sig, message: message, scheme: .rsaPSS(.sha256, saltLength: .bytes(0))))
        XCTAssertFalse(try key.verify(sig, message: message, scheme: .rsaPSS(.sha256, saltLength: .bytes(20))))
        XCTAssertTrue(try key.verify(sig, message: message, scheme: .rsaPSS(.sha256, saltLength: .auto)))
        // Another MGF1 hash does not verify.
        XCTAssertFalse(try key.verify(sig, message: message, scheme: .rsaPSS(.sha256, mgf1: .sha1)))
        let long = try key.sign(message, scheme: .rsaPSS(.sha256, saltLength: .maximum))
        XCTAssertTrue(try key.verify(long, message: message, scheme: .rsaPSS(.sha256, saltLength: .bytes(256 - 32 - 2))))
        assertAsymmetricError(.invalidField) { try key.sign(message, scheme: .rsaPSS(.sha256, saltLength: .auto)) }
        assertAsymmetricError(.invalidField) { try key.sign(message, scheme: .rsaPSS(.sha256, saltLength: .bytes(-4))) }
        assertAsymmetricError(.cryptographicFailure) { try key.sign(message, scheme: .rsaPSS(.sha512, saltLength: .bytes(256))) }
    }

    func testECDSAEveryDigestAndCurve() throws {
        for key in Keys.ec {
            for h in allDigests { try checkScheme(key, .ecdsa(h), deterministic: false) }
        }
        // DER SEQUENCE of two INTEGERs.
        let sig = try Keys.p521.sign(message, scheme: .ecdsa(.sha512))
        XCTAssertEqual(sig.first, 0x30)
        XCTAssertLessThanOrEqual(sig.count, 139)
    }

    func testSecp256k1() throws {
        // Private scalar 1: the public key is the curve's generator G (SEC 2 v2 §2.4.1).
        let one = try AsymmetricKey(raw: [UInt8](repeating: 0, count: 31) + [1], kind: .ec(.secp256k1), isPrivate: true)
        XCTAssertEqual(AsymmetricVectors.hexString(try one.rawPublicKey()),
                       "04" + "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                            + "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")
        XCTAssertEqual(try ECCurve(RecommendedCurve.secp256k1), .secp256k1)
        XCTAssertEqual(ECCurve.secp256k1.recommendedCurve, .secp256k1)
        let key = try AsymmetricKey.generateEC(curve: .secp256k1)
        XCTAssertEqual(key.bitLength, 256)
        try checkScheme(key, .ecdsa(.sha256), deterministic: false)
        // A P-256 key does not verify a secp256k1 signature.
        let sig = try key.sign(message, scheme: .ecdsa(.sha256))
        XCTAssertFalse(try Keys.p256.verify(sig, message: message, scheme: .ecdsa(.sha256)))
    }

    func testRawPKCS1v15SignsTheEncodedDigestAsGiven() throws {
        // PKCS#1 v1.5 is deterministic: raw over DigestInfo(SHA-256(m)) is the SHA-256 signature of m.
        let digestInfo = AsymmetricVectors.hex("3031300d060960864801650304020105000420") + (try DigestAlgorithm(.sha256).hash(message))
        let key = Keys.rsa2048
        let raw = try key.sign(digest: digestInfo, scheme: .rsaPKCS1v15Raw)
        XCTAssertEqual(raw, try key.sign(message, scheme: .rsaPKCS1v15(.sha256)))
        let pub = try key.publicKey()
        XCTAssertTrue(try pub.verify(raw, digest: digestInfo, scheme: .rsaPKCS1v15Raw))
        XCTAssertFalse(try pub.verify(raw, digest: Array(digestInfo.dropFirst(19)), scheme: .rsaPKCS1v15Raw))
        // Up to k − 11 bytes; Data (not Digested Data) and streaming are refused.
        XCTAssertEqual(try key.sign(digest: [UInt8](repeating: 1, count: 245), scheme: .rsaPKCS1v15Raw).count, 256)
        assertAsymmetricError(.invalidField) { try key.sign(digest: [UInt8](repeating: 1, count: 246), scheme: .rsaPKCS1v15Raw) }
        assertAsymmetricError(.invalidField) { try key.sign(message, scheme: .rsaPKCS1v15Raw) }
        assertAsymmetricError(.invalidField) { _ = try SigningContext(key: key, scheme: .rsaPKCS1v15Raw) }
        // Parameters naming only RSA choose it; a named hash or PSS does not.
        var p = CryptographicParameters()
        p.cryptographicAlgorithm = .rsa
        XCTAssertEqual(try SignatureScheme(parameters: p, key: key), .rsaPKCS1v15Raw)
        p.paddingMethod = .pss
        XCTAssertThrowsError(try SignatureScheme(parameters: p, key: key))
        p.paddingMethod = nil
        p.hashingAlgorithm = .sha256
        XCTAssertEqual(try SignatureScheme(parameters: p, key: key), .rsaPKCS1v15(.sha256))
    }

    func testECDSAOverAGivenDigest() throws {
        // ECDSA signs the digest itself: a prehashed signature verifies as ECDSA with that hash.
        for (key, hash) in [(Keys.p256, HashingAlgorithm.sha256), (Keys.p384, .sha384), (Keys.p521, .sha512)] {
            let digest = try DigestAlgorithm(hash).hash(message)
            let sig = try key.sign(digest: digest, scheme: .ecdsaPrehashed)
            XCTAssertTrue(try key.publicKey().verify(sig, message: message, scheme: .ecdsa(hash)))
            XCTAssertTrue(try key.publicKey().verify(sig, digest: digest, scheme: .ecdsaPrehashed))
            XCTAssertFalse(try key.publicKey().verify(sig, digest: Array(digest.reversed()), scheme: .ecdsaPrehashed))
        }
        assertAsymmetricError(.invalidField) { try Keys.p256.sign(digest: [], scheme: .ecdsaPrehashed) }
        assertAsymmetricError(.invalidField) { try Keys.p256.sign(digest: [UInt8](repeating: 1, count: 65), scheme: .ecdsaPrehashed) }
        assertAsymmetricError(.invalidField) { try Keys.p256.sign(message, scheme: .ecdsaPrehashed) }
        assertAsymmetricError(.invalidField) { try Keys.rsa2048.sign(digest: [1, 2, 3], scheme: .ecdsaPrehashed) }
    }

    func testEd25519() throws {
        // RFC 8032 §7.1 TEST 2.
        let seed = AsymmetricVectors.hex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
        let key = try AsymmetricKey(raw: seed, kind: .ed25519, isPrivate: true)
        XCTAssertEqual(AsymmetricVectors.hexString(try key.rawPublicKey()), "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
        let sig = try key.sign([0x72], scheme: .ed25519)
        XCTAssertEqual(AsymmetricVectors.hexString(sig),
                       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")
        let pub = try key.publicKey()
        XCTAssertTrue(try pub.verify(sig, message: [0x72], scheme: .ed25519))
        XCTAssertFalse(try pub.verify(sig, message: [0x73], scheme: .ed25519))
        XCTAssertFalse(try pub.verify(Array(sig.dropLast()), message: [0x72], scheme: .ed25519))
        XCTAssertFalse(try pub.verify([], message: [0x72], scheme: .ed25519))
        let big = try Keys.ed25519.sign(message, scheme: .ed25519)
        XCTAssertTrue(try Keys.ed25519.verify(big, message: message, scheme: .ed25519))
        // No pre-hash, no streaming.
        assertAsymmetricError(.featureNotSupported) { try key.sign(digest: [UInt8](repeating: 0, count: 64), scheme: .ed25519) }
        assertAsymmetricError(.featureNotSupported) { try pub.verify(sig, digest: [UInt8](repeating: 0, count: 64), scheme: .ed25519) }
        assertAsymmetricError(.featureNotSupported) { try SigningContext(key: key, scheme: .ed25519) }
        assertAsymmetricError(.featureNotSupported) { try VerificationContext(key: pub, scheme: .ed25519) }
    }

    /// SHA-1 and MD5: never for signing; verified only under the legacy policy.
    func testLegacyDigestsNeedThePolicy() throws {
        let cases: [(AsymmetricKey, SignatureScheme)] = [
            (Keys.rsa2048, .rsaPKCS1v15(.sha1)), (Keys.rsa2048, .rsaPKCS1v15(.md5)), (Keys.rsa2048, .rsaPSS(.sha1)),
            (Keys.rsa2048, .rsaPSS(.sha256, mgf1: .md5)), (Keys.p256, .ecdsa(.sha1)), (Keys.p384, .ecdsa(.md5)),
        ]
        for (key, scheme) in cases {
            assertAsymmetricError(.cryptographicFailure, "\(scheme)") { try key.sign(message, scheme: scheme) }
            assertAsymmetricError(.cryptographicFailure, "\(scheme)") { try SigningContext(key: key, scheme: scheme) }
            // A signature made as old software would (through the internal path).
            let resolved = try ResolvedSignature(scheme, key: key, purpose: .verify, policy: .legacyVerification)
            let sig = try key.signResolved(resolved.digest!.hash(message), resolved)
            assertAsymmetricError(.cryptographicFailure, "\(scheme)") { try key.verify(sig, message: message, scheme: scheme) }
            assertAsymmetricError(.cryptographicFailure, "\(scheme)") { try VerificationContext(key: key, scheme: scheme) }
            XCTAssertTrue(try key.verify(sig, message: message, scheme: scheme, policy: .legacyVerification), "\(scheme)")
            let v = try VerificationContext(key: key, scheme: scheme, policy: .legacyVerification)
            try v.update(message)
            XCTAssertTrue(try v.finalize(signature: sig))
            XCTAssertFalse(try key.verify(sig, message: message + [0], scheme: scheme, policy: .legacyVerification))
        }
        XCTAssertFalse(SignaturePolicy.standard.allowsLegacyVerification)
    }

    func testErrorsOfUse() throws {
        let rsa = Keys.rsa2048, ec = Keys.p256
        assertAsymmetricError(.invalidField) { try rsa.sign(message, scheme: .ecdsa(.sha256)) }
        assertAsymmetricError(.invalidField) { try ec.sign(message, scheme: .rsaPSS(.sha256)) }
        assertAsymmetricError(.invalidField) { try ec.verify([1], message: message, scheme: .ed25519) }
        assertAsymmetricError(.invalidField) { try Keys.ed25519.sign(message, scheme: .ecdsa(.sha256)) }
        assertAsymmetricError(.invalidField) { try rsa.publicKey().sign(message, scheme: .rsaPKCS1v15(.sha256)) }
        assertAsymmetricError(.invalidField) { try SigningContext(key: try ec.publicKey(), scheme: .ecdsa(.sha256)) }
        assertAsymmetricError(.cryptographicFailure) { try rsa.sign(message, scheme: .rsaPKCS1v15(.md4)) }
        assertAsymmetricError(.cryptographicFailure) { try rsa.verify([1], message: message, scheme: .rsaPKCS1v15(.md2), policy: .legacyVerification) }
        assertAsymmetricError(.cryptographicFailure) { try ec.sign(message, scheme: .ecdsa(.whirlpool)) }
        assertAsymmetricError(.invalidField) { try rsa.sign(digest: [UInt8](repeating: 1, count: 31), scheme: .rsaPKCS1v15(.sha256)) }
        assertAsymmetricError(.invalidField) { try ec.verify([1], digest: [UInt8](repeating: 1, count: 33), scheme: .ecdsa(.sha256)) }
        // A streaming context is used once.
        let s = try SigningContext(key: ec, scheme: .ecdsa(.sha256))
        try s.update(message)
        _ = try s.finalize()
        XCTAssertThrowsError(try s.finalize())
        XCTAssertThrowsError(try s.update(message))
    }

    /// A streaming context shared by mistake between threads: its state is behind a lock, so
    /// concurrent pieces all count (identical pieces: any order is the same message) and exactly
    /// one of several concurrent `finalize` calls wins.
    func testStreamingContextsSharedBetweenThreads() throws {
        let key = Keys.rsa2048, scheme = SignatureScheme.rsaPKCS1v15(.sha256)
        let piece = [UInt8](repeating: 0x5A, count: 48)
        let pieces = 4000
        let signer = try SigningContext(key: key, scheme: scheme)
        let verifier = try VerificationContext(key: try key.publicKey(), scheme: scheme)
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: pieces) { _ in
            do {
                try signer.update(piece)
                try verifier.update(piece)
            } catch {
                failures.add()
            }
        }
        XCTAssertEqual(failures.value, 0)
        let whole = Array([[UInt8]](repeating: piece, count: pieces).joined())
        let signature = try signer.finalize()
        XCTAssertEqual(signature, try key.sign(whole, scheme: scheme), "every piece, once (PKCS#1 v1.5 is deterministic)")
        XCTAssertTrue(try verifier.finalize(signature: signature))

        for round in 0..<20 {
            let s = try SigningContext(key: Keys.p256, scheme: .ecdsa(.sha256))
            let v = try VerificationContext(key: Keys.p256, scheme: .ecdsa(.sha256))
            try s.update(piece)
            try v.update(piece)
            let signed = Counter(), verified = Counter()
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                if (try? s.finalize()) != nil { signed.add() }
                if (try? v.finalize(signature: [0x30, 0x00])) != nil { verified.add() }
            }
            XCTAssertEqual(signed.value, 1, "round \(round)")
            XCTAssertEqual(verified.value, 1, "round \(round)")
        }
    }

    /// One key, many tasks at once.
    func testConcurrentUseOfOneKey() async throws {
        let key = Keys.p384, rsa = Keys.rsa2048
        let message = self.message
        let ok = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<32 {
                group.addTask {
                    let m = message + [UInt8(i)]
                    let k = i % 2 == 0 ? key : rsa
                    let scheme: SignatureScheme = i % 2 == 0 ? .ecdsa(.sha384) : .rsaPSS(.sha256)
                    guard let sig = try? k.sign(m, scheme: scheme) else { return false }
                    return (try? k.verify(sig, message: m, scheme: scheme)) == true
                        && (try? k.verify(sig, message: m + [1], scheme: scheme)) == false
                }
            }
            var count = 0
            for await r in group where r { count += 1 }
            return count
        }
        XCTAssertEqual(ok, 32)
    }
}

/// A thread-safe count for tests.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
