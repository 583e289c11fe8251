import KMIP
import XCTest
@testable import KMIPCrypto

/// ChaCha20 and ChaCha20-Poly1305 against published vectors: the OASIS KMIP 2.0 CS-BC-M-CHACHA20
/// cases (8-byte nonces, the original 64-bit-counter layout) and RFC 8439 §2.8.2 (the AEAD, which
/// the OASIS CS-BC-M-CHACHA20POLY1305 case uses), whose ciphertext is also ChaCha20 with the
/// 12-byte nonce from block counter 1 — a check of the counter layout independent of OpenSSL's.
final class ChaChaCipherTests: XCTestCase {
    func h(_ s: String) -> [UInt8] { ByteString(hex: s)!.bytes }
    func cipher(_ algorithm: CryptographicAlgorithm, _ key: String, _ p: CryptographicParameters? = nil) throws -> ChaChaCipher {
        try ChaChaCipher(algorithm: algorithm, key: SecretBytes(h(key)), cryptographicParameters: p)
    }

    static let zero32 = String(repeating: "00", count: 32)
    // RFC 8439 §2.8.2.
    static let aeadKey = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    static let aeadNonce = "070000004041424344454647"
    static let aeadAAD = "50515253c0c1c2c3c4c5c6c7"
    static let aeadPlaintext = Array("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.".utf8)
    static let aeadCiphertext = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
    static let aeadTag = "1ae10b594f09e26a7e902ecbd0600691"

    func testChaCha20WithAnEightByteNonceGivesTheOASISKeystreams() throws {
        let cases: [(key: String, nonce: String, count: Int, out: String)] = [
            (Self.zero32, "0000000000000000", 64,
             "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586"),
            (String(repeating: "00", count: 31) + "01", "0000000000000000", 64,
             "4540f05a9f1fb296d7736e7b208e3c96eb4fe1834688d2604f450952ed432d41bbe2a0b6ea7566d2a5d1e7e20d42af2c53d792b1c43fea817e9ad275ae546963"),
            (Self.zero32, "0000000000000001", 60,
             "de9cba7bf3d69ef5e786dc63973f653a0b49e015adbff7134fcb7df137821031e85a050278a7084527214f73efc7fa5b5277062eb7a0433e445f41e3"),
        ]
        for c in cases {
            let chacha = try cipher(.chaCha20, c.key)
            let zeros = [UInt8](repeating: 0, count: c.count)
            let out = try chacha.encrypt(zeros, nonce: h(c.nonce))
            XCTAssertEqual(out.data, h(c.out), "key \(c.key.suffix(2)) nonce \(c.nonce)")
            XCTAssertNil(out.tag)
            XCTAssertEqual(try chacha.decrypt(out.data, nonce: h(c.nonce)), zeros)
        }
    }

    func testChaCha20Poly1305GivesTheRFC8439VectorAndRefusesAnyAlteration() throws {
        let aead = try cipher(.chaCha20Poly1305, Self.aeadKey, CryptographicParameters(.aead, tagLength: 16))
        let out = try aead.encrypt(Self.aeadPlaintext, nonce: h(Self.aeadNonce), additionalData: h(Self.aeadAAD))
        XCTAssertEqual(out.data, h(Self.aeadCiphertext))
        XCTAssertEqual(out.tag, h(Self.aeadTag))
        XCTAssertEqual(try aead.decrypt(out.data, nonce: h(Self.aeadNonce), additionalData: h(Self.aeadAAD), tag: h(Self.aeadTag)),
                       Self.aeadPlaintext)
        // The OASIS case's altered tag, an altered nonce, altered data and altered additional data: Cryptographic Failure.
        let alterations: [(String, () throws -> [UInt8])] = [
            ("tag", { try aead.decrypt(out.data, nonce: self.h(Self.aeadNonce), additionalData: self.h(Self.aeadAAD), tag: self.h("ff" + Self.aeadTag.dropFirst(2))) }),
            ("nonce", { try aead.decrypt(out.data, nonce: self.h("ff" + Self.aeadNonce.dropFirst(2)), additionalData: self.h(Self.aeadAAD), tag: self.h(Self.aeadTag)) }),
            ("data", { try aead.decrypt([out.data[0] ^ 1] + out.data.dropFirst(), nonce: self.h(Self.aeadNonce), additionalData: self.h(Self.aeadAAD), tag: self.h(Self.aeadTag)) }),
            ("aad", { try aead.decrypt(out.data, nonce: self.h(Self.aeadNonce), additionalData: [], tag: self.h(Self.aeadTag)) }),
        ]
        for (what, attempt) in alterations {
            XCTAssertThrowsError(try attempt(), "altered \(what)") { XCTAssertEqual(($0 as? CryptoError)?.reason, .cryptographicFailure, what) }
        }
    }

    func testChaCha20WithATwelveByteNonceCountsFromInitialCounterValue() throws {
        // RFC 8439 §2.8: the AEAD encrypts with ChaCha20 from block counter 1 under the same nonce.
        var p = CryptographicParameters()
        p.initialCounterValue = 1
        let chacha = try cipher(.chaCha20, Self.aeadKey, p)
        XCTAssertEqual(try chacha.encrypt(Self.aeadPlaintext, nonce: h(Self.aeadNonce)).data, h(Self.aeadCiphertext))
        let fromZero = try cipher(.chaCha20, Self.aeadKey)
        XCTAssertNotEqual(try fromZero.encrypt(Self.aeadPlaintext, nonce: h(Self.aeadNonce)).data, h(Self.aeadCiphertext))
    }

    func testRefusals() throws {
        let invalid: [(String, () throws -> Any)] = [
            ("a 16-byte key", { try self.cipher(.chaCha20, String(repeating: "00", count: 16)) }),
            ("padding", { try self.cipher(.chaCha20, Self.zero32, CryptographicParameters(nil, padding: .pkcs5)) }),
            ("a block cipher mode on ChaCha20", { try self.cipher(.chaCha20, Self.zero32, CryptographicParameters(.cbc)) }),
            ("GCM on the AEAD", { try self.cipher(.chaCha20Poly1305, Self.zero32, CryptographicParameters(.gcm)) }),
            ("a 12-byte tag", { try self.cipher(.chaCha20Poly1305, Self.zero32, CryptographicParameters(.aead, tagLength: 12)) }),
            ("a 10-byte nonce", { try self.cipher(.chaCha20, Self.zero32).encrypt([1], nonce: [UInt8](repeating: 0, count: 10)) }),
            ("an 8-byte AEAD nonce", { try self.cipher(.chaCha20Poly1305, Self.zero32).encrypt([1], nonce: [UInt8](repeating: 0, count: 8)) }),
            ("additional data without the AEAD", { try self.cipher(.chaCha20, Self.zero32).encrypt([1], nonce: [UInt8](repeating: 0, count: 12), additionalData: [1]) }),
            ("no tag", { try self.cipher(.chaCha20Poly1305, Self.zero32).decrypt([1], nonce: [UInt8](repeating: 0, count: 12)) }),
            ("a short tag", { try self.cipher(.chaCha20Poly1305, Self.zero32).decrypt([1], nonce: [UInt8](repeating: 0, count: 12), tag: [1, 2, 3]) }),
        ]
        for (what, attempt) in invalid {
            XCTAssertThrowsError(try attempt(), what) { XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField, what) }
        }
        XCTAssertThrowsError(try ChaChaCipher(algorithm: .aes, key: SecretBytes(h(Self.zero32)), cryptographicParameters: nil))
    }
}

extension CryptographicParameters {
    fileprivate init(_ mode: BlockCipherMode?, padding: PaddingMethod? = nil, tagLength: Int32? = nil) {
        self.init()
        blockCipherMode = mode; paddingMethod = padding; self.tagLength = tagLength
    }
}
