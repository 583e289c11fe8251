import Foundation
import KMIP
import XCTest
@testable import KMIPCrypto

/// Wycheproof: every `valid` case accepted, every `invalid` case rejected, `acceptable` either way;
/// a `valid` case that cannot be run (unknown hash, key that does not load) fails the test.
final class WycheproofAsymmetricTests: XCTestCase {
    typealias V = AsymmetricVectors
    typealias Group = [String: Any]
    typealias Case = [String: Any]

    /// Runs every file starting with `prefix`: `load` makes the group's key and whatever else the
    /// group needs, `accepts` runs one case. `mustNotThrow`: throwing from `accepts` is itself a
    /// failure (verification throws only on errors of use).
    func run<Setup>(_ prefix: String, mustNotThrow: Bool, load: (Group) throws -> Setup,
                    accepts: (Setup, Case) throws -> Bool, file: StaticString = #filePath, line: UInt = #line) throws -> [V.Tally] {
        var tallies: [V.Tally] = []
        for url in try V.wycheproof(prefix, file: file, line: line) {
            let json = try V.json(url)
            var tally = V.Tally(url.lastPathComponent)
            let groups = try XCTUnwrap(json["testGroups"] as? [Group], url.lastPathComponent)
            var seen = 0
            for group in groups {
                let tests = try XCTUnwrap(group["tests"] as? [Case])
                seen += tests.count
                let setup: Setup
                do {
                    setup = try load(group)
                } catch {
                    for t in tests {
                        let result = t["result"] as? String ?? "?"
                        if result == "valid" { tally.cannotRun("tcId \(t["tcId"] ?? "?"): the group's key did not load: \(error)") }
                        tally.record(result, false, id: t["tcId"] ?? "?", comment: t["comment"])
                    }
                    continue
                }
                for t in tests {
                    let result = t["result"] as? String ?? "?"
                    var accepted = false
                    do {
                        accepted = try accepts(setup, t)
                    } catch {
                        if mustNotThrow { tally.failures.append("tcId \(t["tcId"] ?? "?") threw \(error)") }
                    }
                    tally.record(result, accepted, id: t["tcId"] ?? "?", comment: t["comment"])
                }
            }
            if let n = json["numberOfTests"] as? Int { XCTAssertEqual(seen, n, "\(url.lastPathComponent): cases seen", file: file, line: line) }
            tally.report(file: file, line: line)
            tallies.append(tally)
        }
        return tallies
    }

    func hash(_ group: Group, _ field: String) throws -> HashingAlgorithm {
        let name = group[field] as? String ?? "(missing)"
        guard let h = V.hashing(name) else { throw CryptoError(.cryptographicFailure, "unknown Wycheproof hash \(name)") }
        return h
    }

    func hexField(_ t: Case, _ field: String) -> [UInt8] { V.hex(t[field] as? String ?? "") }

    // MARK: Encryption

    func testRSAOAEP() throws {
        let tallies = try run("rsa_oaep_", mustNotThrow: false, load: { group -> (AsymmetricKey, HashingAlgorithm, HashingAlgorithm) in
            let key = try AsymmetricKey(pkcs8: V.hex(group["privateKeyPkcs8"] as? String ?? ""))
            XCTAssertEqual(key.kind, .rsa)
            return (key, try hash(group, "sha"), try hash(group, "mgfSha"))
        }, accepts: { setup, t in
            let (key, sha, mgf) = setup
            let plain = try key.decrypt(hexField(t, "ct"), padding: .oaep(digest: sha, mgf1: mgf, label: hexField(t, "label")))
            return plain.bytes == hexField(t, "msg")
        })
        XCTAssertEqual(tallies.count, 4, "the four rsa_oaep files")
    }

    func testRSAPKCS1Encryption() throws {
        var invalidThatDidNotThrow = 0
        let implicitRejection = AsymmetricKey.pkcs1v15ImplicitRejection
        let tallies = try run("rsa_pkcs1_2048_test", mustNotThrow: false, load: { group in
            try AsymmetricKey(pkcs8: V.hex(group["privateKeyPkcs8"] as? String ?? ""))
        }, accepts: { key, t in
            let plain = try key.decrypt(hexField(t, "ct"), padding: .pkcs1v15)
            if t["result"] as? String == "invalid" { invalidThatDidNotThrow += 1 }
            return plain.bytes == hexField(t, "msg")
        })
        XCTAssertEqual(tallies.count, 1)
        if !implicitRejection {
            XCTAssertEqual(invalidThatDidNotThrow, 0, "OpenSSL 3.0/3.1 rejects bad PKCS#1 v1.5 padding with an error")
        } else {
            print("note: OpenSSL ≥ 3.2 — invalid PKCS#1 v1.5 ciphertexts decrypt to a pseudo-random message (implicit rejection)")
        }
    }

    // MARK: Signatures

    func testRSAPKCS1Signatures() throws {
        let tallies = try run("rsa_signature_", mustNotThrow: true, load: { group -> (AsymmetricKey, HashingAlgorithm) in
            (try AsymmetricKey(subjectPublicKeyInfo: V.hex(group["publicKeyDer"] as? String ?? "")), try hash(group, "sha"))
        }, accepts: { setup, t in
            try setup.0.verify(hexField(t, "sig"), message: hexField(t, "msg"), scheme: .rsaPKCS1v15(setup.1))
        })
        XCTAssertEqual(tallies.count, 9, "the nine rsa_signature files (SHA-2, SHA-512/t, SHA3-256)")
    }

    func testRSAPSS() throws {
        let tallies = try run("rsa_pss_", mustNotThrow: true, load: { group -> (AsymmetricKey, SignatureScheme) in
            let key = try AsymmetricKey(subjectPublicKeyInfo: V.hex(group["publicKeyDer"] as? String ?? ""))
            guard group["mgf"] as? String == "MGF1" else { throw CryptoError(.cryptographicFailure, "mask generator \(group["mgf"] ?? "?")") }
            let salt = (group["sLen"] as? Int) ?? Int(group["sLen"] as? String ?? "") ?? -1
            return (key, .rsaPSS(try hash(group, "sha"), mgf1: try hash(group, "mgfSha"), saltLength: .bytes(salt)))
        }, accepts: { setup, t in
            try setup.0.verify(hexField(t, "sig"), message: hexField(t, "msg"), scheme: setup.1)
        })
        XCTAssertEqual(tallies.count, 5, "the five rsa_pss files")
    }

    func testECDSA() throws {
        let tallies = try run("ecdsa_secp", mustNotThrow: true, load: { group -> (AsymmetricKey, HashingAlgorithm) in
            let key = try AsymmetricKey(subjectPublicKeyInfo: V.hex(group["publicKeyDer"] as? String ?? ""))
            // The uncompressed point of the group is the key's Raw public key.
            if let uncompressed = (group["publicKey"] as? [String: Any])?["uncompressed"] as? String {
                XCTAssertEqual(try key.rawPublicKey(), V.hex(uncompressed))
            }
            return (key, try hash(group, "sha"))
        }, accepts: { setup, t in
            try setup.0.verify(hexField(t, "sig"), message: hexField(t, "msg"), scheme: .ecdsa(setup.1))
        })
        XCTAssertEqual(tallies.map(\.file), ["ecdsa_secp256r1_sha256_test.json", "ecdsa_secp384r1_sha384_test.json", "ecdsa_secp521r1_sha512_test.json"])
    }

    func testEd25519() throws {
        let tallies = try run("ed25519", mustNotThrow: true, load: { group -> AsymmetricKey in
            let pk = V.hex((group["publicKey"] as? [String: Any])?["pk"] as? String ?? "")
            let key = try AsymmetricKey(raw: pk, kind: .ed25519, isPrivate: false)
            let der = try AsymmetricKey(subjectPublicKeyInfo: V.hex(group["publicKeyDer"] as? String ?? ""))
            XCTAssertTrue(der.publicKeyMatches(key))
            return key
        }, accepts: { key, t in
            try key.verify(hexField(t, "sig"), message: hexField(t, "msg"), scheme: .ed25519)
        })
        XCTAssertEqual(tallies.count, 1)
    }
}
