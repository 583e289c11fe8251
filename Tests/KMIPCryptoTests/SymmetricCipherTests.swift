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
        XCTAssertNoThrow(try SymmetricCipher(algorithm: .tripleDES, key: SecretBytes(k8 + bytes(8) + k8), parameters: .default))
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
        // Tag lengths 4…16.
        for t in [0, 3, 17, 32] { XCTAssertEqual(reason(try make(SymmetricParameters(mode: .gcm, tagLength: t))), .invalidField, "tag \(t)") }
        for t in 4...16 { XCTAssertNoThrow(try make(SymmetricParameters(mode: .gcm, tagLength: t))) }

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
        XCTAssertEqual(reason(try gcm.encrypt([1], iv: bytes(SymmetricCipher.maxGCMNonceLength + 1))), .invalidField)
        XCTAssertNoThrow(try gcm.encrypt([1], iv: bytes(SymmetricCipher.maxGCMNonceLength)))
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

    func testDescriptionsShowNoKey() throws {
        let key = SecretBytes(h("000102030405060708090a0b0c0d0e0f"))
        let cipher = try SymmetricCipher(algorithm: .aes, key: key, parameters: .default)
        XCTAssertEqual(cipher.description, "AES-128-CBC/PKCS5")
        XCTAssertFalse(String(reflecting: cipher).contains("0a0b0c"))
        XCTAssertFalse(String(reflecting: cipher).contains("10, 11, 12"))
    }
}
