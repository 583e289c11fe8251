import Foundation
import KMIP
import KMIPTestSupport
import XCTest
@testable import KMIPCrypto

/// Our keys and signatures against the `openssl` command-line tool, both ways.
final class OpenSSLInteropTests: XCTestCase {
    typealias Keys = AsymmetricTestKeys
    var directory: URL!
    let message = Array("Strongroom interop message\n".utf8) + (0..<500).map { UInt8(truncatingIfNeeded: $0 &* 13) }

    override func setUpWithError() throws {
        guard OpenSSLTool.isInstalled else {
            let message = "SKIPPED: the openssl command-line tool is not at \(OpenSSLTool.path)"
            print("⚠️  \(message)")
            throw XCTSkip(message)
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("strongroom-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: directory.appendingPathComponent(name))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path(name))
    }

    func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: directory.appendingPathComponent(name))) }

    /// Runs `openssl args…` in the temporary directory; fails the test (and throws) on a non-zero exit.
    @discardableResult
    func openssl(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let (status, text) = try OpenSSLTool.execute(args, in: directory)
        guard status == 0 else {
            XCTFail("openssl \(args.joined(separator: " ")) exited \(status): \(text)", file: file, line: line)
            throw CryptoError(.cryptographicFailure, "openssl failed")
        }
        return text
    }

    // MARK: Our keys read by openssl

    func testOurKeysAreReadByOpenSSL() throws {
        for (i, key) in Keys.all.enumerated() {
            let name = "k\(i)"
            // PKCS#8 DER and PEM pass `openssl pkey -check`.
            try write("\(name).p8.der", try key.pkcs8().bytes)
            XCTAssertTrue(try openssl(["pkey", "-inform", "DER", "-in", path("\(name).p8.der"), "-check", "-noout"]).contains("Key is valid"), "\(key)")
            try write("\(name).pem", try key.pem().bytes)
            XCTAssertTrue(try openssl(["pkey", "-in", path("\(name).pem"), "-check", "-noout"]).contains("Key is valid"), "\(key)")
            // openssl re-encodes our PKCS#8 identically and derives the same public key.
            try openssl(["pkcs8", "-topk8", "-nocrypt", "-inform", "DER", "-in", path("\(name).p8.der"), "-outform", "DER", "-out", path("\(name).again.der")])
            XCTAssertTrue(try read("\(name).again.der") == key.pkcs8().bytes, "\(key): PKCS#8 re-encoded by openssl differs")
            try openssl(["pkey", "-inform", "DER", "-in", path("\(name).p8.der"), "-pubout", "-outform", "DER", "-out", path("\(name).pub.der")])
            XCTAssertTrue(try read("\(name).pub.der") == key.subjectPublicKeyInfo(), "\(key): public key derived by openssl differs")
            // SPKI DER and PEM pass `-pubcheck`.
            let pub = try key.publicKey()
            try write("\(name).spki.der", try pub.subjectPublicKeyInfo())
            XCTAssertTrue(try openssl(["pkey", "-pubin", "-inform", "DER", "-in", path("\(name).spki.der"), "-pubcheck", "-noout"]).contains("Key is valid"))
            try write("\(name).pub.pem", try pub.pem().bytes)
            try openssl(["pkey", "-pubin", "-in", path("\(name).pub.pem"), "-outform", "DER", "-out", path("\(name).pub2.der")])
            XCTAssertTrue(try read("\(name).pub2.der") == key.subjectPublicKeyInfo(), "\(key): SPKI PEM")
        }
        // PKCS#1 RSAPrivateKey and RSAPublicKey.
        let rsa = Keys.rsa2048
        try write("rsa.p1.der", try rsa.pkcs1PrivateKey().bytes)
        XCTAssertTrue(try openssl(["rsa", "-inform", "DER", "-in", path("rsa.p1.der"), "-check", "-noout"]).contains("RSA key ok"))
        try write("rsa.p1pub.der", try rsa.pkcs1PublicKey())
        try openssl(["rsa", "-RSAPublicKey_in", "-inform", "DER", "-in", path("rsa.p1pub.der"), "-pubout", "-outform", "DER", "-out", path("rsa.spki.der")])
        XCTAssertTrue(try read("rsa.spki.der") == rsa.subjectPublicKeyInfo(), "PKCS#1 public key")
        // RFC 5915 ECPrivateKey.
        try write("ec.der", try Keys.p384.ecPrivateKey().bytes)
        XCTAssertTrue(try openssl(["ec", "-inform", "DER", "-in", path("ec.der"), "-check", "-noout"]).contains("EC Key valid"))
    }

    /// Signatures we make verify with `openssl dgst` / `pkeyutl`; OAEP ciphertexts we make decrypt with `pkeyutl`.
    func testOurSignaturesVerifyWithOpenSSL() throws {
        try write("msg", message)
        let cases: [(AsymmetricKey, SignatureScheme, [String])] = [
            (Keys.rsa2048, .rsaPKCS1v15(.sha256), ["-sha256"]),
            (Keys.rsa3072, .rsaPKCS1v15(.sha3384), ["-sha3-384"]),
            (Keys.rsa2048, .rsaPKCS1v15(.ripemd160), ["-ripemd160"]),
            (Keys.rsa2048, .rsaPSS(.sha256), ["-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]),
            (Keys.rsa4096, .rsaPSS(.sha512, mgf1: .sha256, saltLength: .bytes(17)),
             ["-sha512", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:17", "-sigopt", "rsa_mgf1_md:sha256"]),
            (Keys.rsa2048, .rsaPSS(.sha512256), ["-sha512-256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]),
            (Keys.p256, .ecdsa(.sha256), ["-sha256"]),
            (Keys.p384, .ecdsa(.sha384), ["-sha384"]),
            (Keys.p521, .ecdsa(.sha512), ["-sha512"]),
            (Keys.p256, .ecdsa(.sha3256), ["-sha3-256"]),
        ]
        for (i, (key, scheme, options)) in cases.enumerated() {
            try write("pub\(i).pem", try key.publicKey().pem().bytes)
            try write("sig\(i)", try key.sign(message, scheme: scheme))
            let out = try openssl(["dgst"] + options + ["-verify", path("pub\(i).pem"), "-signature", path("sig\(i)"), path("msg")])
            XCTAssertTrue(out.contains("Verified OK"), "\(scheme): \(out)")
        }
        // A signature over a digest we were given (Digested Data) is the same thing to openssl.
        let digest = try DigestAlgorithm(.sha384).hash(message)
        try write("pubd.pem", try Keys.p384.publicKey().pem().bytes)
        try write("sigd", try Keys.p384.sign(digest: digest, scheme: .ecdsa(.sha384)))
        XCTAssertTrue(try openssl(["dgst", "-sha384", "-verify", path("pubd.pem"), "-signature", path("sigd"), path("msg")]).contains("Verified OK"))
        // Ed25519.
        try write("ed.pem", try Keys.ed25519.publicKey().pem().bytes)
        try write("ed.sig", try Keys.ed25519.sign(message, scheme: .ed25519))
        XCTAssertTrue(try openssl(["pkeyutl", "-verify", "-pubin", "-inkey", path("ed.pem"), "-rawin", "-in", path("msg"), "-sigfile", path("ed.sig")])
            .contains("Signature Verified Successfully"))
        // OAEP (SHA-256, MGF1 SHA-1, a label) made here, decrypted by openssl.
        try write("rsa.pem", try Keys.rsa2048.pem().bytes)
        let secret = Array("a wrapped key".utf8)
        try write("ct", try Keys.rsa2048.encrypt(secret, padding: .oaep(digest: .sha256, mgf1: .sha1, label: Array("label".utf8))))
        try openssl(["pkeyutl", "-decrypt", "-inkey", path("rsa.pem"), "-in", path("ct"), "-out", path("pt"),
                     "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha1",
                     "-pkeyopt", "rsa_oaep_label:" + AsymmetricVectors.hexString(Array("label".utf8))])
        XCTAssertEqual(try read("pt"), secret)
    }

    // MARK: openssl's keys read by us

    func testOpenSSLKeysAreReadByUs() throws {
        try write("msg", message)
        let generated: [(String, [String], AsymmetricKeyKind, SignatureScheme, [String])] = [
            ("rsa", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], .rsa, .rsaPKCS1v15(.sha256), ["-sha256"]),
            ("rsapss", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], .rsa, .rsaPSS(.sha384),
             ["-sha384", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]),
            ("p256", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], .ec(.p256), .ecdsa(.sha256), ["-sha256"]),
            ("p521", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"], .ec(.p521), .ecdsa(.sha512), ["-sha512"]),
            ("ed", ["-algorithm", "ED25519"], .ed25519, .ed25519, []),
        ]
        for (name, genOptions, kind, scheme, dgstOptions) in generated {
            try openssl(["genpkey"] + genOptions + ["-out", path("\(name).pem")])
            try openssl(["pkcs8", "-topk8", "-nocrypt", "-in", path("\(name).pem"), "-outform", "DER", "-out", path("\(name).der")])
            // `openssl pkey -outform DER` writes the traditional form: PKCS#1 for RSA, ECPrivateKey for EC.
            try openssl(["pkey", "-in", path("\(name).pem"), "-outform", "DER", "-out", path("\(name).trad.der")])
            try openssl(["pkey", "-in", path("\(name).pem"), "-pubout", "-outform", "DER", "-out", path("\(name).pub.der")])
            try openssl(["pkey", "-in", path("\(name).pem"), "-pubout", "-out", path("\(name).pub.pem")])
            let key = try AsymmetricKey(pkcs8: try read("\(name).der"))
            XCTAssertEqual(key.kind, kind)
            XCTAssertTrue(key.isPrivate)
            let pub = try AsymmetricKey(subjectPublicKeyInfo: try read("\(name).pub.der"))
            XCTAssertTrue(pub.publicKeyMatches(key))
            XCTAssertTrue(try key.subjectPublicKeyInfo() == read("\(name).pub.der"), "\(name): SPKI")
            XCTAssertTrue(try key.pkcs8().bytes == read("\(name).der"), "\(name): PKCS#8")
            switch kind {
            case .rsa:
                let traditional = try AsymmetricKey(pkcs1PrivateKey: try read("\(name).trad.der"))
                XCTAssertTrue(try traditional.pkcs8() == key.pkcs8(), "\(name): PKCS#1")
            case .ec:
                let traditional = try AsymmetricKey(ecPrivateKey: try read("\(name).trad.der"))
                XCTAssertTrue(try traditional.pkcs8() == key.pkcs8(), "\(name): ECPrivateKey")
            case .ed25519:
                break
            }

            // openssl signs, we verify; we sign, openssl verifies.
            if scheme == .ed25519 {
                try openssl(["pkeyutl", "-sign", "-inkey", path("\(name).pem"), "-rawin", "-in", path("msg"), "-out", path("\(name).sig")])
            } else {
                try openssl(["dgst"] + dgstOptions + ["-sign", path("\(name).pem"), "-out", path("\(name).sig"), path("msg")])
            }
            let theirs = try read("\(name).sig")
            XCTAssertTrue(try pub.verify(theirs, message: message, scheme: scheme), "\(name): openssl's signature")
            XCTAssertFalse(try pub.verify(theirs, message: message + [0], scheme: scheme), "\(name)")
            try write("\(name).ours", try key.sign(message, scheme: scheme))
            let out: String
            if scheme == .ed25519 {
                out = try openssl(["pkeyutl", "-verify", "-pubin", "-inkey", path("\(name).pub.pem"), "-rawin", "-in", path("msg"), "-sigfile", path("\(name).ours")])
            } else {
                out = try openssl(["dgst"] + dgstOptions + ["-verify", path("\(name).pub.pem"), "-signature", path("\(name).ours"), path("msg")])
            }
            XCTAssertTrue(out.contains("Verified OK") || out.contains("Signature Verified Successfully"), "\(name): \(out)")
        }
        // openssl encrypts with OAEP SHA-384, we decrypt.
        let secret = Array("from openssl".utf8)
        try write("secret", secret)
        try openssl(["pkeyutl", "-encrypt", "-pubin", "-inkey", path("rsa.pub.pem"), "-in", path("secret"), "-out", path("secret.ct"),
                     "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha384", "-pkeyopt", "rsa_mgf1_md:sha384"])
        let rsa = try AsymmetricKey(pkcs8: try read("rsa.der"))
        XCTAssertEqual(try rsa.decrypt(try read("secret.ct"), padding: .oaep(digest: .sha384)).bytes, secret)
        try openssl(["pkeyutl", "-encrypt", "-pubin", "-inkey", path("rsa.pub.pem"), "-in", path("secret"), "-out", path("secret.v15"),
                     "-pkeyopt", "rsa_padding_mode:pkcs1"])
        XCTAssertEqual(try rsa.decrypt(try read("secret.v15"), padding: .pkcs1v15).bytes, secret)
    }

    /// PKCS#12 both ways: ours opens with `openssl pkcs12`, and openssl's opens with ours; a wrong
    /// password is Invalid Field.
    func testPKCS12BothWays() throws {
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "c.pem", "-subj", "/CN=strongroom-p12", "-days", "1"])
        try openssl(["pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-outform", "DER", "-out", "k.der"])
        try openssl(["x509", "-in", "c.pem", "-outform", "DER", "-out", "c.der"])
        let key = try AsymmetricKey(pkcs8: try read("k.der"))
        let certificate = try read("c.der")
        let password = SecretBytes(Array("p12-secret".utf8))

        let ours = try PKCS12.make(key: key, certificates: [certificate], password: password, friendlyName: "alias")
        try write("ours.p12", ours.bytes)
        let opened = try openssl(["pkcs12", "-in", "ours.p12", "-passin", "pass:p12-secret", "-nodes"])
        XCTAssertTrue(opened.contains("BEGIN PRIVATE KEY") && opened.contains("BEGIN CERTIFICATE") && opened.contains("friendlyName: alias"))

        try openssl(["pkcs12", "-export", "-inkey", "k.pem", "-in", "c.pem", "-passout", "pass:p12-secret", "-out", "theirs.p12"])
        let (readKey, readCertificates) = try PKCS12.read(try read("theirs.p12"), password: password)
        XCTAssertEqual(try readKey.pkcs8(), try key.pkcs8())
        XCTAssertEqual(readCertificates, [certificate])
        XCTAssertThrowsError(try PKCS12.read(try read("theirs.p12"), password: SecretBytes(Array("wrong".utf8)))) {
            XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField)
        }
        XCTAssertThrowsError(try PKCS12.read([0x30, 0x03, 0x02, 0x01, 0x00], password: password))
    }

    /// ECDH agrees with `openssl pkeyutl -derive` on every curve, both ways round.
    func testECDHAgreesWithOpenSSL() throws {
        for (curve, name) in [(ECCurve.p256, "prime256v1"), (.p384, "secp384r1"), (.p521, "secp521r1"), (.secp256k1, "secp256k1")] {
            for party in ["a", "b"] {
                try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(name)", "-out", "\(party).pem"])
                try openssl(["pkey", "-in", "\(party).pem", "-outform", "DER", "-out", "\(party).der"])
                try openssl(["pkey", "-in", "\(party).pem", "-pubout", "-outform", "DER", "-out", "\(party)-pub.der"])
            }
            try openssl(["pkeyutl", "-derive", "-inkey", "a.pem", "-peerkey", "b-pub.der", "-peerform", "DER", "-out", "shared"])
            let a = try AsymmetricKey(pkcs8: try read("a.der")), b = try AsymmetricKey(pkcs8: try read("b.der"))
            let bPublic = try AsymmetricKey(subjectPublicKeyInfo: try read("b-pub.der"))
            let aPublic = try AsymmetricKey(subjectPublicKeyInfo: try read("a-pub.der"))
            XCTAssertEqual(try a.agree(with: bPublic).bytes, try read("shared"), "\(curve)")
            XCTAssertEqual(try b.agree(with: aPublic).bytes, try read("shared"), "\(curve): both ways")
        }
        let p256 = try AsymmetricKey.generateEC(curve: .p256), p384 = try AsymmetricKey.generateEC(curve: .p384)
        XCTAssertThrowsError(try p256.agree(with: p384)) { XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField) }
    }
}
