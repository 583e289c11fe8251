import COpenSSL
import Foundation
import KMIP
import XCTest
@testable import KMIPCrypto

final class SymmetricCipherTests: XCTestCase {
    let h = SymmetricVectors.hex

    func reason(_ body: @autoclosure () throws -> Any, line: UInt = #line) -> ResultReason? {
        do {
            _ = try body()
            XCTFail("expected an error", line: line)
            return nil
        } catch let e as CryptoError {
            return e.reason
        } catch {
            XCTFail("not a CryptoError: \(error)", line: line)
            return nil
        }
    }

    func bytes(_ n: Int, seed: Int = 1) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &* 7 &+ ($0 >> 3)) } }

    /// Every supported (algorithm, key length, mode, padding), with an IV of the right length.
    func allConfigurations() throws -> [(SymmetricCipher, [UInt8]?)] {
        var all: [(SymmetricCipher, [UInt8]?)] = []
        for keyBytes in [16, 24, 32] {
            for mode in SymmetricMode.allCases {
                let paddings: [SymmetricPadding] = mode.allowsPadding ? [.pkcs5, .none] : [.none]
                for padding in paddings {
                    let c = try SymmetricCipher(algorithm: .aes, key: SecretBytes(bytes(keyBytes, seed: keyBytes)),
                                                parameters: SymmetricParameters(mode: mode, padding: padding))
                    all.append((c, mode == .ecb ? nil : bytes(c.ivLength!, seed: 9)))
                }
            }
        }
        for keyBytes in [16, 24] {
            for mode in [SymmetricMode.ecb, .cbc, .cfb, .ofb] {
                let paddings: [SymmetricPadding] = mode.allowsPadding ? [.pkcs5, .none] : [.none]
                for padding in paddings {
                    let c = try SymmetricCipher(algorithm: .tripleDES, key: SecretBytes(bytes(keyBytes, seed: 3)),
                                                parameters: SymmetricParameters(mode: mode, padding: padding))
                    all.append((c, mode == .ecb ? nil : bytes(8, seed: 5)))
                }
            }
        }
        // GCM with a nonce longer than EVP's 128 bytes (OpenSSL's GCM128 path) and a short one.
        let long = try SymmetricCipher(algorithm: .aes, key: SecretBytes(bytes(32)), parameters: SymmetricParameters(mode: .gcm, tagLength: 13))
        all.append((long, bytes(257, seed: 4)))
        all.append((long, bytes(1, seed: 4)))
        return all
    }

    func testStreamingInEveryChunkSizeEqualsOneShot() throws {
        var configurations = 0
        for (cipher, iv) in try allConfigurations() {
            let padded = cipher.parameters.mode.allowsPadding && cipher.parameters.padding == .pkcs5
            let unpaddedBlockMode = cipher.parameters.mode.allowsPadding && cipher.parameters.padding == .none
            // 100 bytes is no multiple of either block size; block modes without padding get 96.
            let plaintext = bytes(unpaddedBlockMode ? 96 : 100)
            let aad = cipher.parameters.mode == .gcm ? bytes(21, seed: 2) : []
            let oneShot = try cipher.encrypt(plaintext, iv: iv, additionalData: aad)
            XCTAssertEqual(try cipher.decrypt(oneShot.data, iv: iv, additionalData: aad, tag: oneShot.tag), plaintext, "\(cipher)")
            if padded { XCTAssertEqual(oneShot.data.count, (plaintext.count / cipher.blockSize + 1) * cipher.blockSize) }
            XCTAssertNotEqual(oneShot.data, plaintext)
            for chunk in 1...33 {
                let enc = try cipher.encryptor(iv: iv, additionalData: aad)
                var out: [UInt8] = []
                for start in stride(from: 0, to: plaintext.count, by: chunk) {
                    out += try enc.update(Array(plaintext[start..<min(start + chunk, plaintext.count)]))
                }
                let last = try enc.finalize()
                out += last.data
                XCTAssertEqual(out, oneShot.data, "\(cipher) encrypt in chunks of \(chunk)")
                XCTAssertEqual(last.tag, oneShot.tag, "\(cipher) tag in chunks of \(chunk)")

                let dec = try cipher.decryptor(iv: iv, additionalData: aad)
                var back: [UInt8] = []
                for start in stride(from: 0, to: oneShot.data.count, by: chunk) {
                    let piece = try dec.update(Array(oneShot.data[start..<min(start + chunk, oneShot.data.count)]))
                    if cipher.parameters.mode == .gcm { XCTAssertEqual(piece, [], "GCM decryption releases nothing before the tag") }
                    back += piece
                }
                back += try dec.finalize(expectedTag: oneShot.tag).data
                XCTAssertEqual(back, plaintext, "\(cipher) decrypt in chunks of \(chunk)")
                XCTAssertThrowsError(try dec.update([1]), "a finished stream takes no more")
                XCTAssertThrowsError(try enc.finalize())
            }
            configurations += 1
        }
        // 3 key sizes × (ECB×2, CBC×2, CFB, OFB, CTR, GCM) + 2 × (ECB×2, CBC×2, CFB, OFB) + 2 long/short-nonce GCM.
        XCTAssertEqual(configurations, 24 + 12 + 2)
    }

    func testStreamedGCMDecryptionWithAWrongTagReleasesNothing() throws {
        let cipher = try SymmetricCipher(algorithm: .aes, key: SecretBytes(bytes(16)), parameters: SymmetricParameters(mode: .gcm))
        for iv in [bytes(12), bytes(200)] {
            let sealed = try cipher.encrypt(bytes(64), iv: iv, additionalData: [1, 2, 3])
            let dec = try cipher.decryptor(iv: iv, additionalData: [1, 2, 3])
            XCTAssertEqual(try dec.update(sealed.data), [])
            var tag = sealed.tag!
            tag[15] ^= 1
            XCTAssertEqual(reason(try dec.finalize(expectedTag: tag)), .cryptographicFailure)
            XCTAssertEqual(reason(try dec.finalize(expectedTag: sealed.tag)), .cryptographicFailure, "spent after a failure")
            // Wrong AAD and wrong nonce fail too.
            XCTAssertEqual(reason(try cipher.decrypt(sealed.data, iv: iv, additionalData: [1, 2, 4], tag: sealed.tag)), .cryptographicFailure)
            var otherIV = iv
            otherIV[0] ^= 1
            XCTAssertEqual(reason(try cipher.decrypt(sealed.data, iv: otherIV, additionalData: [1, 2, 3], tag: sealed.tag)), .cryptographicFailure)
            // Missing tag, or a tag on a non-GCM stream.
            XCTAssertEqual(reason(try cipher.decrypt(sealed.data, iv: iv, additionalData: [1, 2, 3])), .invalidField)
        }
        let cbc = try SymmetricCipher(algorithm: .aes, key: SecretBytes(bytes(16)), parameters: .default)
        XCTAssertEqual(reason(try cbc.decrypt(bytes(16), iv: bytes(16), tag: bytes(16))), .invalidField)
    }

    /// Blowfish only for Derive Key (``SymmetricCipher/forDerivation``), from OpenSSL's legacy
    /// provider; keys of 32 to 448 bits.
    func testBlowfishIsForDerivationOnly() throws {
        var parameters = CryptographicParameters()
        parameters.blockCipherMode = .cbc; parameters.paddingMethod = .pkcs5
        let key = SecretBytes(h("0123456789abcdeff0e1d2c3b4a59687"))
        XCTAssertEqual(reason(try SymmetricCipher(algorithm: .blowfish, key: key, cryptographicParameters: parameters)),
                       .cryptographicFailure)
        let iv = h("fedcba9876543210")
        let message = h("37363534333231204e6f77206973207468652074696d6520666f722000")
        let cipher = try SymmetricCipher.forDerivation(algorithm: .blowfish, key: key, cryptographicParameters: parameters)
        XCTAssertEqual(try cipher.encrypt(message, iv: iv).data,
                       h("6b77b4d63006dee605b156e27403979358deb9e7154616d9749decbec05d264b"))
        XCTAssertEqual(cipher.blockSize, 8)
        // Other key lengths (OpenSSL's default is 128 bits): the "set_key" vectors of Eric Young's
        // Blowfish test set (key = the first N bytes of F0E1D2C3…, FEDCBA9876543210 in ECB).
        var ecb = CryptographicParameters()
        ecb.blockCipherMode = .ecb; ecb.paddingMethod = PaddingMethod.none
        let setKey = h("f0e1d2c3b4a5968778695a4b3c2d1e0f0011223344556677")
        for (bytes, expected) in [(4, "be1e639408640f05"), (5, "b39e44481bdb1e6e"), (8, "e87a244e2cc85e82"),
                                  (12, "9409da87a90f6bf2"), (16, "93142887ee3be15c"), (24, "05044b62fa52d080")] {
            let c = try SymmetricCipher.forDerivation(algorithm: .blowfish, key: SecretBytes(Array(setKey.prefix(bytes))),
                                                      cryptographicParameters: ecb)
            XCTAssertEqual(try c.encrypt(h("fedcba9876543210")).data, h(expected), "\(bytes * 8)-bit key")
        }
        XCTAssertEqual(reason(try SymmetricCipher.forDerivation(algorithm: .blowfish, key: SecretBytes([1, 2, 3]),
                                                                cryptographicParameters: parameters)), .invalidField)
        parameters.blockCipherMode = .gcm; parameters.paddingMethod = PaddingMethod.none
        XCTAssertEqual(reason(try SymmetricCipher.forDerivation(algorithm: .blowfish, key: key, cryptographicParameters: parameters)),
                       .cryptographicFailure)
    }

    func testTripleDES() throws {
        // NIST SP 800-67 rev. 1 example (three-key TDEA, ECB; its plaintext really says "qufck").
        let k = "0123456789ABCDEF 23456789ABCDEF01 456789ABCDEF0123"
        let ecb = try SymmetricCipher(algorithm: .tripleDES, key: SecretBytes(h(k)), parameters: SymmetricParameters(mode: .ecb, padding: SymmetricPadding.none))
        XCTAssertEqual(ecb.keyLength, 168)
        XCTAssertEqual(try ecb.encrypt(Array("The qufck brown fox jump".utf8)).data, h("A826FD8CE53B855F CCE21C8112256FE6 68D5C05DD9B6B900"))
        // Two-key 3DES is three-key with K3 = K1.
        let k1k2 = h("0123456789ABCDEF 23456789ABCDEF01")
        for mode in [SymmetricMode.ecb, .cbc, .cfb, .ofb] {
            let two = try SymmetricCipher(algorithm: .tripleDES, key: SecretBytes(k1k2), parameters: SymmetricParameters(mode: mode))
            let three = try SymmetricCipher(algorithm: .tripleDES, key: SecretBytes(k1k2 + k1k2.prefix(8)), parameters: SymmetricParameters(mode: mode))
            XCTAssertEqual(two.keyLength, 112)
            let iv: [UInt8]? = mode == .ecb ? nil : bytes(8)
            XCTAssertEqual(try two.encrypt(bytes(40), iv: iv), try three.encrypt(bytes(40), iv: iv), "\(mode)")
        }
        XCTAssertEqual(reason(try SymmetricCipher(algorithm: .tripleDES, key: SecretBytes(bytes(24)), parameters: SymmetricParameters(mode: .gcm))), .cryptographicFailure)
        XCTAssertEqual(reason(try SymmetricCipher(algorithm: .tripleDES, key: SecretBytes(bytes(24)), parameters: SymmetricParameters(mode: .ctr))), .cryptographicFailure)
        XCTAssertEqual(reason(try SymmetricCipher(algorithm: .tripleDES, key: SecretBytes(bytes(8)), parameters: .default)), .invalidField)
        // Single DES in disguise: K1 = K2 (parity bits aside), or K2 = K3.
        let k8 = h("0123456789ABCDEF")
        XCTAssertEqual(reason(try SymmetricCipher(algorithm: .tripleDES, key: SecretBytes(k8 + k8.map { $0 ^ 1 }), parameters: .default)), .invalidField)
        XCTAssertEqual(reason(try SymmetricCipher(algorithm: .tripleDES, key: SecretBytes(bytes(8) + k8 + k8), parameters: .default)), .invalidField)
        XCTAssertEqual(reason(try SymmetricCipher(algorithm: .tripleDES, key: SecretBytes(bytes(8) + k8 + k8.map { $0 ^ 1 }), parameters: .default)), .invalidField)
        XCTAssertNoThrow(try SymmetricCipher(algorithm: .tripleDES, key: SecretBytes(k8 + bytes(8) + k8), parameters: .default))
        XCTAssertNoThrow(try SymmetricCipher(algorithm: .tripleDES, key: SecretBytes(k8 + k8.map { $0 ^ 2 }), parameters: .default))
        // 3DES IVs are 8 bytes.
        let cbc = try SymmetricCipher(algorithm: .tripleDES, key: SecretBytes(bytes(24)), parameters: .default)
        XCTAssertEqual(cbc.ivLength, 8)
        XCTAssertEqual(reason(try cbc.encrypt(bytes(8), iv: bytes(16))), .invalidField)
    }

    func testParameterRules() throws {
        let key = SecretBytes(bytes(32))
        func make(_ p: SymmetricParameters, _ alg: CryptographicAlgorithm = .aes, key: SecretBytes? = nil) throws -> SymmetricCipher {
            try SymmetricCipher(algorithm: alg, key: key ?? SecretBytes(bytes(32)), parameters: p)
        }
        // Keys.
        for n in [0, 8, 15, 17, 31, 33, 64] {
            XCTAssertEqual(reason(try make(.default, key: SecretBytes(bytes(n)))), .invalidField, "AES key of \(n)")
        }
        XCTAssertEqual(reason(try make(.default, .rsa)), .cryptographicFailure)
        XCTAssertEqual(reason(try make(.default, .des)), .cryptographicFailure)
        // Padding PKCS5 is for ECB and CBC only.
        for mode in [SymmetricMode.cfb, .ofb, .ctr, .gcm] {
            XCTAssertEqual(reason(try make(SymmetricParameters(mode: mode, padding: .pkcs5))), .invalidField, "\(mode)")
            XCTAssertEqual(SymmetricParameters(mode: mode).padding, SymmetricPadding.none)
        }
        XCTAssertEqual(SymmetricParameters(mode: .ecb).padding, .pkcs5)
        // Tag lengths (SP 800-38D §5.2.1.2): 16, 15, 14, 13, 12, and 8 and 4 (Appendix C); nothing in between.
        for t in [0, 3, 5, 6, 7, 9, 10, 11, 17, 32] {
            XCTAssertEqual(reason(try make(SymmetricParameters(mode: .gcm, tagLength: t))), .invalidField, "tag \(t)")
        }
        for t in [4, 8, 12, 13, 14, 15, 16] { XCTAssertNoThrow(try make(SymmetricParameters(mode: .gcm, tagLength: t)), "tag \(t)") }

        // IVs.
        let cbc = try make(.default)
        XCTAssertEqual(reason(try cbc.encrypt([1])), .invalidField, "missing IV")
        XCTAssertEqual(reason(try cbc.encrypt([1], iv: bytes(15))), .invalidField)
        XCTAssertEqual(reason(try cbc.encrypt([1], iv: bytes(17))), .invalidField)
        let ecb = try make(SymmetricParameters(mode: .ecb))
        XCTAssertEqual(reason(try ecb.encrypt([1], iv: bytes(16))), .invalidField, "ECB takes no IV")
        XCTAssertNoThrow(try ecb.encrypt([1], iv: []))
        XCTAssertNil(ecb.ivLength)
        let ctr = try make(SymmetricParameters(mode: .ctr))
        XCTAssertEqual(reason(try ctr.encrypt([1], iv: bytes(12))), .invalidField)
        let gcm = try make(SymmetricParameters(mode: .gcm))
        XCTAssertEqual(gcm.ivLength, 12)
        XCTAssertEqual(reason(try gcm.encrypt([1], iv: [])), .invalidField, "empty GCM nonce")
        XCTAssertEqual(reason(try gcm.encrypt([1])), .invalidField)
        XCTAssertEqual(reason(try gcm.encrypt([1], iv: bytes(CryptoLimits.maxGCMNonceLength + 1))), .invalidField)
        XCTAssertNoThrow(try gcm.encrypt([1], iv: bytes(CryptoLimits.maxGCMNonceLength)))
        // Additional data is for GCM only.
        XCTAssertEqual(reason(try cbc.encrypt([1], iv: bytes(16), additionalData: [1])), .invalidField)
        // Random IVs have the mode's length and differ.
        let a = try cbc.randomIV(), b = try cbc.randomIV()
        XCTAssertEqual(a?.count, 16)
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(try make(SymmetricParameters(mode: .gcm, ivLength: 16)).randomIV()?.count, 16)
        XCTAssertNil(try ecb.randomIV())
        XCTAssertEqual(reason(try make(SymmetricParameters(mode: .cbc, ivLength: 12))), .invalidField)

        // Padding None needs whole blocks; bad PKCS5 padding is a Cryptographic Failure.
        let raw = try make(SymmetricParameters(mode: .cbc, padding: SymmetricPadding.none))
        XCTAssertEqual(reason(try raw.encrypt(bytes(17), iv: bytes(16))), .invalidField)
        XCTAssertEqual(reason(try cbc.decrypt(bytes(17), iv: bytes(16))), .invalidField)
        var sealed = try cbc.encrypt(bytes(32), iv: bytes(16)).data
        sealed[sealed.count - 1] ^= 0x5A
        XCTAssertEqual(reason(try cbc.decrypt(sealed, iv: bytes(16))), .cryptographicFailure)
        XCTAssertEqual(reason(try cbc.decrypt([], iv: bytes(16))), .cryptographicFailure)
        _ = key
    }

    func testFromKMIPCryptographicParameters() throws {
        var p = CryptographicParameters()
        XCTAssertEqual(try SymmetricParameters(p), .default, "nothing given: CBC with PKCS5")
        p.blockCipherMode = .gcm
        p.tagLength = 12
        p.ivLength = 96
        let gcm = try SymmetricParameters(p)
        XCTAssertEqual(gcm, SymmetricParameters(mode: .gcm, padding: SymmetricPadding.none, tagLength: 12, ivLength: 12))
        XCTAssertEqual(try SymmetricParameters(gcm.cryptographicParameters), gcm)
        p.ivLength = 95
        XCTAssertEqual(reason(try SymmetricParameters(p)), .invalidField)
        p.ivLength = nil
        p.blockCipherMode = .ctr
        p.paddingMethod = PaddingMethod.none
        XCTAssertEqual(try SymmetricParameters(p), SymmetricParameters(mode: .ctr), "Tag Length is ignored outside GCM")
        p.paddingMethod = .pkcs5
        XCTAssertEqual(reason(try SymmetricCipher(algorithm: .aes, key: SecretBytes(bytes(16)), cryptographicParameters: p)), .invalidField)
        for unsupported in [BlockCipherMode.ccm, .xts, .pcbc, .cbcMAC, .nISTKeyWrap] {
            p.blockCipherMode = unsupported
            do {
                _ = try SymmetricParameters(p)
                XCTFail("\(unsupported) accepted")
            } catch let e as CryptoError {
                XCTAssertEqual(e.reason, .cryptographicFailure)
                XCTAssertTrue(e.message.contains(unsupported.description), e.message)
            }
        }
        p.blockCipherMode = .cbc
        p.paddingMethod = .oaep
        XCTAssertEqual(reason(try SymmetricParameters(p)), .cryptographicFailure)
        // Through the KMIP route, end to end.
        p.paddingMethod = .pkcs5
        let c = try SymmetricCipher(algorithm: .aes, key: SecretBytes(bytes(24)), cryptographicParameters: p)
        XCTAssertEqual(c.openSSLName, "AES-192-CBC")
        XCTAssertEqual(c.keyLength, 192)
    }

    /// `update(_:into:)` writes into the caller's buffer and matches the allocating form.
    func testUpdateIntoBuffer() throws {
        let cipher = try SymmetricCipher(algorithm: .aes, key: SecretBytes(bytes(32)), parameters: .default)
        let iv = bytes(16)
        let data = bytes(1000)
        let ctx = try cipher.encryptor(iv: iv)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 + SymmetricCipherContext.slack)
        for start in stride(from: 0, to: data.count, by: 64) {
            let n = try data[start..<min(start + 64, data.count)].withUnsafeBytes { input in
                try buffer.withUnsafeMutableBytes { try ctx.update(input, into: $0) }
            }
            out += buffer[0..<n]
        }
        out += try ctx.finalize().data
        XCTAssertEqual(out, try cipher.encrypt(data, iv: iv).data)
        // Too small an output buffer is refused before anything is written.
        let small = try cipher.encryptor(iv: iv)
        var tiny = [UInt8](repeating: 0, count: 64)
        XCTAssertEqual(reason(try data[0..<64].withUnsafeBytes { input in try tiny.withUnsafeMutableBytes { try small.update(input, into: $0) } }), .invalidField)
    }

    /// The server keeps a stream between requests; it may continue on another task.
    func testContextMovesBetweenTasks() async throws {
        let cipher = try SymmetricCipher(algorithm: .aes, key: SecretBytes(bytes(32)), parameters: SymmetricParameters(mode: .gcm))
        let iv = bytes(12)
        let ctx = try cipher.encryptor(iv: iv)
        let data = bytes(50)
        let first = try await Task.detached { try ctx.update(data) }.value
        let rest = try await Task.detached { try ctx.update([]) + (try ctx.finalize().data) }.value
        XCTAssertEqual(first + rest, try cipher.encrypt(data, iv: iv).data)
    }

    /// SP 800-38D §8.2.2: a GCM nonce the server generates (Random IV) has at least 96 bits; one the
    /// client supplies may be shorter.
    func testGeneratedGCMNoncesAreAtLeast96Bits() throws {
        for n in [1, 8, 11] {
            let c = try SymmetricCipher(algorithm: .aes, key: SecretBytes(bytes(16)), parameters: SymmetricParameters(mode: .gcm, ivLength: n))
            do {
                _ = try c.randomIV()
                XCTFail("a \(n)-byte random GCM nonce was generated")
            } catch let e as CryptoError {
                XCTAssertEqual(e.reason, .invalidField)
                XCTAssertTrue(e.message.contains("96 bits"), e.message)
            }
            let sealed = try c.encrypt([1, 2, 3], iv: bytes(n))
            XCTAssertEqual(try c.decrypt(sealed.data, iv: bytes(n), tag: sealed.tag), [1, 2, 3], "a client's \(n)-byte nonce")
        }
        for n in [12, 16, 200] {
            let c = try SymmetricCipher(algorithm: .aes, key: SecretBytes(bytes(16)), parameters: SymmetricParameters(mode: .gcm, ivLength: n))
            XCTAssertEqual(try c.randomIV()?.count, n)
        }
        // Generated nonces do not repeat.
        let gcm = try SymmetricCipher(algorithm: .aes, key: SecretBytes(bytes(16)), parameters: SymmetricParameters(mode: .gcm))
        let nonces = try (0..<5000).map { _ in try gcm.randomIV()! }
        XCTAssertEqual(Set(nonces).count, nonces.count)
        XCTAssertEqual(Set(nonces.joined()).count, 256)
    }

    /// A failing AES block under OpenSSL's GCM128 (long nonces) fails the operation instead of
    /// producing output from a garbage key stream.
    func testGCM128BlockFailureFailsTheOperation() throws {
        let cipher = try SymmetricCipher(algorithm: .aes, key: SecretBytes(bytes(32)), parameters: SymmetricParameters(mode: .gcm))
        let backend = try GCM128Backend(cipher, .encrypt, nonce: bytes(200), additionalData: [])
        EVP_CIPHER_CTX_reset(backend.ecb)   // every AES block now fails
        var out = [UInt8](repeating: 0, count: 64 + SymmetricCipherContext.slack)
        let input = bytes(64)
        XCTAssertEqual(reason(try input.withUnsafeBytes { i in try out.withUnsafeMutableBufferPointer { try backend.update(i, $0.baseAddress!) } }),
                       .cryptographicFailure)
        XCTAssertEqual(ERR_peek_error(), 0, "the OpenSSL errors went into the message")
        XCTAssertEqual(out, [UInt8](repeating: 0, count: out.count), "no output from a failed block")
    }

    /// The withheld-plaintext limit of a streamed GCM decryption is Invalid Field, checked before
    /// the buffer is allocated.
    func testWithheldGCMPlaintextLimit() throws {
        let cipher = try SymmetricCipher(algorithm: .aes, key: SecretBytes(bytes(16)), parameters: SymmetricParameters(mode: .gcm))
        let over = [UInt8](repeating: 0, count: CryptoLimits.maxWithheldPlaintext + 1)
        XCTAssertEqual(reason(try cipher.decryptor(iv: bytes(12)).update(over)), .invalidField)
        let dec = try cipher.decryptor(iv: bytes(12))
        XCTAssertEqual(try dec.update(bytes(100)), [])
        XCTAssertEqual(reason(try dec.update(Array(over[100...]))), .invalidField, "over the limit across updates")
    }

    /// Concurrent misuse of one stream is serialised by its lock: GCM over zeros hands out each
    /// piece of the key stream exactly once, whatever the interleaving, and the tag is that of the
    /// whole message.
    func testConcurrentUpdatesOfOneContextAreSerialized() throws {
        let cipher = try SymmetricCipher(algorithm: .aes, key: SecretBytes(bytes(16)), parameters: SymmetricParameters(mode: .gcm))
        let iv = bytes(12)
        let pieces = 10_000, size = 1031
        let whole = try cipher.encrypt([UInt8](repeating: 0, count: size * pieces), iv: iv)
        let expected = Set((0..<pieces).map { Array(whole.data[($0 * size)..<($0 * size + size)]) })
        let zero = [UInt8](repeating: 0, count: size)
        for round in 1...3 {   // races show up in most rounds without the lock
            let ctx = try cipher.encryptor(iv: iv)
            let results = Slots(pieces, [UInt8]())
            DispatchQueue.concurrentPerform(iterations: pieces) { i in results[i] = (try? ctx.update(zero)) ?? [] }
            let pieces = Set(results.all)
            XCTAssertTrue(pieces == expected, "round \(round): \(pieces.subtracting(expected).count) pieces of key stream are wrong")
            XCTAssertEqual(try ctx.finalize().tag, whole.tag, "round \(round)")
        }
    }

    /// One-shot operations share keyed contexts; interleaved IV lengths, failures and directions
    /// leave no trace on the next operation.
    func testOneShotOperationsReuseContextsCleanly() throws {
        for (cipher, iv) in try allConfigurations() {
            let gcm = cipher.parameters.mode == .gcm
            let unpadded = cipher.parameters.mode.allowsPadding && cipher.parameters.padding == .none
            let ivs: [[UInt8]?] = gcm ? [iv, bytes(12, seed: 2), bytes(16, seed: 3), bytes(1), bytes(129), bytes(128), bytes(12, seed: 4)]
                                      : [iv, iv.map { $0.map { $0 ^ 0x33 } }, iv]
            for (round, iv) in ivs.enumerated() {
                let plaintext = bytes(unpadded ? 16 * (round + 1) : 7 * round + 3, seed: round)
                let aad = gcm ? bytes(round * 5, seed: round) : []
                let sealed = try cipher.encrypt(plaintext, iv: iv, additionalData: aad)
                let stream = try cipher.encryptor(iv: iv, additionalData: aad)
                var streamed = try stream.update(plaintext)
                let last = try stream.finalize()
                streamed += last.data
                XCTAssertEqual(sealed.data, streamed, "\(cipher) round \(round)")
                XCTAssertEqual(sealed.tag, last.tag, "\(cipher) round \(round)")
                // A failed decryption in between (wrong tag, or bad padding/length) leaves nothing behind.
                if gcm {
                    var bad = sealed.tag!
                    bad[0] ^= 1
                    XCTAssertEqual(reason(try cipher.decrypt(sealed.data, iv: iv, additionalData: aad, tag: bad)), .cryptographicFailure)
                } else if cipher.parameters.mode.allowsPadding {
                    XCTAssertThrowsError(try cipher.decrypt(sealed.data + [1], iv: iv))
                }
                XCTAssertEqual(try cipher.decrypt(sealed.data, iv: iv, additionalData: aad, tag: sealed.tag), plaintext, "\(cipher) round \(round)")
            }
        }
    }

    /// A one-shot operation takes a keyed context and gives it back when it succeeded; a failed one
    /// frees its context.
    func testOneShotContextsGoBackToThePool() throws {
        let cipher = try SymmetricCipher(algorithm: .aes, key: SecretBytes(bytes(32)), parameters: SymmetricParameters(mode: .gcm))
        let copy = cipher
        let sealed = try cipher.encrypt(bytes(64), iv: bytes(12))
        _ = try copy.encrypt(bytes(64), iv: bytes(16))
        XCTAssertEqual(cipher.contexts.idleCount(.encrypt), 1, "copies share the pool; one context served both")
        XCTAssertEqual(cipher.contexts.idleCount(.decrypt), 0)
        XCTAssertEqual(try cipher.decrypt(sealed.data, iv: bytes(12), tag: sealed.tag), bytes(64))
        XCTAssertEqual(cipher.contexts.idleCount(.decrypt), 1)
        var bad = sealed.tag!
        bad[3] ^= 1
        XCTAssertThrowsError(try cipher.decrypt(sealed.data, iv: bytes(12), tag: bad))
        XCTAssertEqual(cipher.contexts.idleCount(.decrypt), 0, "a failed operation's context is not reused")
        XCTAssertEqual(try cipher.decrypt(sealed.data, iv: bytes(12), tag: sealed.tag), bytes(64))
        XCTAssertEqual(cipher.contexts.idleCount(.decrypt), 1)
    }

    /// One cipher used from many threads at once gives every caller its own correct result.
    func testOneShotFromManyThreads() throws {
        let cipher = try SymmetricCipher(algorithm: .aes, key: SecretBytes(bytes(32)), parameters: SymmetricParameters(mode: .gcm))
        let n = 2000
        let plaintexts = (0..<n).map { bytes(40, seed: $0) }, ivs = (0..<n).map { bytes(12, seed: $0) }, aads = (0..<n).map { bytes($0 % 7) }
        let expected = try (0..<n).map { try cipher.encrypt(plaintexts[$0], iv: ivs[$0], additionalData: aads[$0]) }
        let ok = Slots(n, false)
        DispatchQueue.concurrentPerform(iterations: n) { i in
            guard let sealed = try? cipher.encrypt(plaintexts[i], iv: ivs[i], additionalData: aads[i]),
                  let back = try? cipher.decrypt(sealed.data, iv: ivs[i], additionalData: aads[i], tag: sealed.tag) else { return }
            ok[i] = sealed == expected[i] && back == plaintexts[i]
        }
        XCTAssertEqual(ok.all.filter { !$0 }.count, 0)
    }

    func testDescriptionsShowNoKey() throws {
        let key = SecretBytes(h("000102030405060708090a0b0c0d0e0f"))
        let cipher = try SymmetricCipher(algorithm: .aes, key: key, parameters: .default)
        XCTAssertEqual(cipher.description, "AES-128-CBC/PKCS5")
        XCTAssertFalse(String(reflecting: cipher).contains("0a0b0c"))
        XCTAssertFalse(String(reflecting: cipher).contains("10, 11, 12"))
    }
}

/// One result slot per iteration of `DispatchQueue.concurrentPerform` (each iteration writes its own).
final class Slots<T>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<T>
    init(_ count: Int, _ initial: T) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: initial)
    }
    deinit {
        _ = buffer.deinitialize()
        buffer.deallocate()
    }
    subscript(i: Int) -> T {
        get { buffer[i] }
        set { buffer[i] = newValue }
    }
    var all: [T] { Array(buffer) }
}
