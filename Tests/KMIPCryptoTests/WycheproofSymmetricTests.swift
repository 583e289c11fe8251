import Foundation
import KMIP
import XCTest
@testable import KMIPCrypto

/// Wycheproof (../shared/crypto-vectors/wycheproof): AES-CBC-PKCS5, AES-GCM and every HMAC file.
/// Every `valid` case must give the expected output both ways; every `invalid` case must be
/// rejected; `acceptable` cases may go either way and are counted apart. A valid case that cannot
/// run fails the test.
final class WycheproofSymmetricTests: XCTestCase {
    let h = SymmetricVectors.hex

    struct Counts: CustomStringConvertible {
        var valid = 0, invalidRejected = 0, acceptable = 0
        var description: String { "\(valid) valid passed, \(invalidRejected) invalid rejected, \(acceptable) acceptable (either way)" }
    }

    struct File: Decodable {
        let algorithm: String
        let numberOfTests: Int
        let testGroups: [Group]
    }

    struct Group: Decodable {
        let keySize: Int?
        let ivSize: Int?
        let tagSize: Int?
        let tests: [Case]
    }

    struct Case: Decodable {
        let tcId: Int
        let comment: String
        let key: String
        let iv: String?
        let aad: String?
        let msg: String
        let ct: String?
        let tag: String?
        let result: String
        let flags: [String]
    }

    func load(_ name: String) throws -> File {
        let url = try SymmetricVectors.require("crypto-vectors/wycheproof/\(name)")
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        XCTAssertEqual(file.testGroups.reduce(0) { $0 + $1.tests.count }, file.numberOfTests, "\(name): every case read")
        return file
    }

    /// Judges one case. `accept` is the decision under test (decrypt, MAC verify): it returns the
    /// output when it accepts the input and throws (a `CryptoError`, or `Rejected`) when it refuses
    /// it. Valid cases must be accepted and then pass `checkValid` (the output and the other
    /// direction); invalid cases must be refused by `accept` itself.
    func judge<T>(_ file: String, _ c: Case, _ counts: inout Counts, accept: () throws -> T, checkValid: (T) throws -> Void) {
        let label = "\(file) tcId \(c.tcId) (\(c.comment.isEmpty ? c.flags.joined(separator: ",") : c.comment))"
        let output: T?
        do {
            output = try accept()
        } catch is Rejected {
            output = nil
        } catch is CryptoError {
            output = nil
        } catch {
            XCTFail("\(label): failed oddly: \(error)")
            return
        }
        switch (c.result, output) {
        case ("valid", let out?):
            do {
                try checkValid(out)
                counts.valid += 1
            } catch {
                XCTFail("\(label): valid case gave the wrong result: \(error)")
            }
        case ("valid", nil):
            XCTFail("\(label): valid case rejected")
        case ("invalid", nil):
            counts.invalidRejected += 1
        case ("invalid", _?):
            XCTFail("\(label): invalid case accepted")
        default:
            counts.acceptable += 1
        }
    }

    struct Rejected: Error {}
    struct Mismatch: Error, CustomStringConvertible {
        let description: String
        init(_ what: String) { description = what }
    }

    func testAESCBCPKCS5() throws {
        let name = "aes_cbc_pkcs5_test.json"
        let file = try load(name)
        var counts = Counts()
        for group in file.testGroups {
            for c in group.tests {
                let parameters = SymmetricParameters(mode: .cbc, padding: .pkcs5)
                judge(name, c, &counts, accept: {
                    try SymmetricCipher(algorithm: .aes, key: SecretBytes(h(c.key)), parameters: parameters).decrypt(h(c.ct!), iv: h(c.iv!))
                }, checkValid: { plaintext in
                    let cipher = try SymmetricCipher(algorithm: .aes, key: SecretBytes(h(c.key)), parameters: parameters)
                    XCTAssertEqual(cipher.keyLength, group.keySize)
                    guard plaintext == h(c.msg) else { throw Mismatch("plaintext") }
                    guard try cipher.encrypt(h(c.msg), iv: h(c.iv!)).data == h(c.ct!) else { throw Mismatch("ciphertext") }
                })
            }
        }
        print("Wycheproof \(name): \(counts)")
        XCTAssertEqual(counts.valid, 72)
        XCTAssertEqual(counts.invalidRejected, 144)
    }

    func testAESGCM() throws {
        let name = "aes_gcm_test.json"
        let file = try load(name)
        var counts = Counts()
        var longNonces = 0
        for group in file.testGroups {
            for c in group.tests {
                if h(c.iv!).count > 128 { longNonces += 1 }
                let parameters = SymmetricParameters(mode: .gcm, tagLength: group.tagSize! / 8)
                judge(name, c, &counts, accept: {
                    try SymmetricCipher(algorithm: .aes, key: SecretBytes(h(c.key)), parameters: parameters)
                        .decrypt(h(c.ct!), iv: h(c.iv!), additionalData: h(c.aad!), tag: h(c.tag!))
                }, checkValid: { plaintext in
                    guard plaintext == h(c.msg) else { throw Mismatch("plaintext") }
                    let sealed = try SymmetricCipher(algorithm: .aes, key: SecretBytes(h(c.key)), parameters: parameters)
                        .encrypt(h(c.msg), iv: h(c.iv!), additionalData: h(c.aad!))
                    guard sealed.data == h(c.ct!) else { throw Mismatch("ciphertext") }
                    guard sealed.tag == h(c.tag!) else { throw Mismatch("tag") }
                })
            }
        }
        print("Wycheproof \(name): \(counts) (\(longNonces) with nonces over 128 bytes, through GCM128)")
        XCTAssertEqual(counts.valid, 229)
        XCTAssertEqual(counts.invalidRejected, 87)
        XCTAssertGreaterThan(longNonces, 0)
    }

    static let hmacFiles: [(String, HashingAlgorithm)] = [
        ("hmac_sha224_test.json", .sha224), ("hmac_sha256_test.json", .sha256), ("hmac_sha384_test.json", .sha384),
        ("hmac_sha512_test.json", .sha512), ("hmac_sha512_224_test.json", .sha512224), ("hmac_sha512_256_test.json", .sha512256),
        ("hmac_sha3_224_test.json", .sha3224), ("hmac_sha3_256_test.json", .sha3256), ("hmac_sha3_384_test.json", .sha3384),
        ("hmac_sha3_512_test.json", .sha3512),
    ]

    func testEveryHMACFile() throws {
        let directory = try SymmetricVectors.require("crypto-vectors/wycheproof")
        let present = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("hmac_") }.sorted()
        XCTAssertEqual(present, Self.hmacFiles.map(\.0).sorted(), "an HMAC file without a mapping here would go untested")
        var total = Counts()
        for (name, alg) in Self.hmacFiles {
            let file = try load(name)
            var counts = Counts()
            for group in file.testGroups {
                for c in group.tests {
                    let tag = h(c.tag!)
                    XCTAssertEqual(tag.count * 8, group.tagSize)
                    judge(name, c, &counts, accept: {
                        // One-shot and byte-by-byte streaming verification must agree.
                        let hmac = try HMAC(alg, key: SecretBytes(h(c.key)), policy: .default)
                        let oneShot = try hmac.verify(mac: tag, for: h(c.msg))
                        let stream = try hmac.verifier()
                        for byte in h(c.msg) { try stream.update([byte]) }
                        let streamed = try stream.verify(mac: tag)
                        XCTAssertEqual(oneShot, streamed, "\(name) tcId \(c.tcId)")
                        guard oneShot, streamed else { throw Rejected() }
                        return hmac
                    }, checkValid: { hmac in
                        guard Array(try hmac.mac(h(c.msg)).prefix(tag.count)) == tag else { throw Mismatch("MAC") }
                    })
                }
            }
            print("Wycheproof \(name) (\(file.algorithm)): \(counts)")
            XCTAssertEqual(counts.valid + counts.invalidRejected + counts.acceptable, file.numberOfTests, name)
            XCTAssertGreaterThan(counts.valid, 0, name)
            XCTAssertGreaterThan(counts.invalidRejected, 0, name)
            total.valid += counts.valid
            total.invalidRejected += counts.invalidRejected
            total.acceptable += counts.acceptable
        }
        print("Wycheproof HMAC, \(Self.hmacFiles.count) files: \(total)")
    }
}
