import Foundation
import X509
import XCTest
@testable import KMIPPKI

final class KMIPCATests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_750_000_000)

    func testDefaultLayout() throws {
        let ca = try KMIPCA.generate(now: now)
        XCTAssertEqual(PKITestSupport.attributes(ca.root.subject).map { "\($0.0)=\($0.1)" }, ["CN=strongroom-kmip-default"])
        XCTAssertEqual(ca.root.issuer, ca.root.subject)
        XCTAssertEqual(
            PKITestSupport.attributes(ca.intermediate.subject).map { "\($0.0)=\($0.1)" },
            ["CN=strongroom-kmip-default-intermediate"])
        XCTAssertEqual(ca.intermediate.issuer, ca.root.subject)

        XCTAssertEqual(try ca.root.extensions.basicConstraints, .isCertificateAuthority(maxPathLength: 10))
        XCTAssertEqual(try ca.intermediate.extensions.basicConstraints, .isCertificateAuthority(maxPathLength: 9))
        for cert in [ca.root, ca.intermediate] {
            XCTAssertEqual(cert.version, .v3)
            XCTAssertEqual(cert.extensions[oid: .X509ExtensionID.basicConstraints]?.critical, true)
            XCTAssertEqual(try cert.extensions.keyUsage, KeyUsage(keyCertSign: true, cRLSign: true))
            XCTAssertEqual(cert.extensions[oid: .X509ExtensionID.keyUsage]?.critical, true)
            XCTAssertEqual(cert.notValidBefore, now - 30)
            XCTAssertEqual(cert.notValidAfter, now + 3650 * 86400)
            XCTAssertNotNil(KeySpec(of: cert.publicKey))
            XCTAssertEqual(KeySpec(of: cert.publicKey), try KeySpec(type: .ec, bits: 256))
            XCTAssertEqual(cert.serialNumber.bytes.count, 20)
        }
        // SKI/AKI chain: root is self-identified, intermediate points at the root.
        let rootSKI = try XCTUnwrap(try ca.root.extensions.subjectKeyIdentifier)
        let intSKI = try XCTUnwrap(try ca.intermediate.extensions.subjectKeyIdentifier)
        XCTAssertEqual(rootSKI, SubjectKeyIdentifier(hash: ca.root.publicKey))
        XCTAssertEqual(intSKI, SubjectKeyIdentifier(hash: ca.intermediate.publicKey))
        XCTAssertNotEqual(rootSKI, intSKI)
        XCTAssertEqual(try ca.root.extensions.authorityKeyIdentifier?.keyIdentifier, rootSKI.keyIdentifier)
        XCTAssertEqual(try ca.intermediate.extensions.authorityKeyIdentifier?.keyIdentifier, rootSKI.keyIdentifier)
        // Signatures.
        XCTAssertTrue(ca.root.publicKey.isValidSignature(ca.root.signature, for: ca.root))
        XCTAssertTrue(ca.root.publicKey.isValidSignature(ca.intermediate.signature, for: ca.intermediate))
        XCTAssertFalse(ca.intermediate.publicKey.isValidSignature(ca.intermediate.signature, for: ca.intermediate))
    }

    func testKeySpecFromConfig() throws {
        let ca = try KMIPCA.generate(keySpec: try KeySpec(type: "EC", bits: 384), now: now)
        XCTAssertEqual(ca.keySpec, try KeySpec(type: .ec, bits: 384))
        XCTAssertEqual(KeySpec(of: ca.intermediate.publicKey), try KeySpec(type: .ec, bits: 384))
        let rsa = try KMIPCA.generate(keySpec: try KeySpec(type: .rsa, bits: 2048), now: now)
        XCTAssertEqual(rsa.keySpec, try KeySpec(type: .rsa, bits: 2048))
        XCTAssertEqual(rsa.root.signatureAlgorithm, .sha256WithRSAEncryption)
    }

    func testInvalidKeySpecsAreRefused() {
        XCTAssertThrowsError(try KeySpec(type: .ec, bits: 224)) { error in
            XCTAssertEqual((error as? PKIError)?.kind, .invalidParameter)
            XCTAssertTrue("\(error)".contains("224"))
        }
        for (type, bits) in [("ec", 512), ("rsa", 1024), ("rsa", 256), ("dsa", 2048)] {
            XCTAssertThrowsError(try KeySpec(type: type, bits: bits), "\(type) \(bits)")
        }
    }

    func testChainPEMIsIntermediateThenRoot() throws {
        let ca = try KMIPCA.generate(now: now)
        XCTAssertEqual(ca.caChain.count, 2)
        XCTAssertEqual(try Certificate(pemEncoded: ca.caChain[0]), ca.intermediate)
        XCTAssertEqual(try Certificate(pemEncoded: ca.caChain[1]), ca.root)
        let blocks = ca.caChainPEM.components(separatedBy: "-----END CERTIFICATE-----")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        XCTAssertEqual(blocks.count, 2)
        XCTAssertEqual(try Certificate(pemEncoded: blocks[0] + "\n-----END CERTIFICATE-----"), ca.intermediate)
        XCTAssertEqual(try Certificate(pemEncoded: blocks[1] + "\n-----END CERTIFICATE-----"), ca.root)
    }

    func testKeysRoundTripThroughPKCS8() throws {
        for spec in [try KeySpec(type: .ec, bits: 256), try KeySpec(type: .ec, bits: 521), try KeySpec(type: .rsa, bits: 2048)] {
            let ca = try KMIPCA.generate(keySpec: spec, now: now)
            let rootKey = try ca.exportRootKeyPKCS8()
            let intKey = try ca.exportIntermediateKeyPKCS8()
            XCTAssertEqual(rootKey.first, 0x30, "PKCS#8 is a DER SEQUENCE")
            let reloaded = try KMIPCA(
                rootCertificateDER: try ca.rootCertificateDER(), rootKeyPKCS8: rootKey,
                intermediateCertificateDER: try ca.intermediateCertificateDER(), intermediateKeyPKCS8: intKey)
            XCTAssertEqual(reloaded.root, ca.root)
            XCTAssertEqual(reloaded.intermediate, ca.intermediate)
            XCTAssertEqual(try reloaded.exportIntermediateKeyPKCS8(), intKey)
            // The reloaded intermediate key still signs verifiable leaves.
            let leaf = try reloaded.issueClientCredential(scopeID: "s", roleID: "r", keySpec: .defaultEC, ttl: 3600, now: now)
            XCTAssertTrue(ca.intermediate.publicKey.isValidSignature(leaf.certificate.signature, for: leaf.certificate))

            // Swapped keys are refused.
            XCTAssertThrowsError(try KMIPCA(
                rootCertificateDER: try ca.rootCertificateDER(), rootKeyPKCS8: intKey,
                intermediateCertificateDER: try ca.intermediateCertificateDER(), intermediateKeyPKCS8: rootKey)) {
                XCTAssertEqual(($0 as? PKIError)?.kind, .keyMismatch)
            }
        }
        XCTAssertThrowsError(try PrivateKeyEncoding.privateKey(pkcs8DER: [0x30, 0x03, 0x02, 0x01, 0x00]))
    }

    func testDescriptionHoldsNoKeyMaterial() throws {
        let ca = try KMIPCA.generate(now: now)
        let key = try ca.exportIntermediateKeyPKCS8()
        let hex = key.suffix(16).map { String(format: "%02x", $0) }.joined()
        for text in [ca.description, String(reflecting: ca), "\(ca)"] {
            XCTAssertTrue(text.contains("redacted"))
            XCTAssertFalse(text.lowercased().contains(hex))
        }
        var dumped = ""
        dump(ca, to: &dumped)
        XCTAssertFalse(dumped.contains("PrivateKey"), dumped)
    }
}
