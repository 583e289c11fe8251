import Crypto
import Foundation
import SwiftASN1
import X509
import XCTest
@testable import KMIPPKI

final class CSRSigningTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_750_000_000)

    func makeCSR(key: Certificate.PrivateKey, algorithm: Certificate.SignatureAlgorithm = .ecdsaWithSHA256) throws -> String {
        let subject = try DistinguishedName {
            CommonName("EKM")
            OrganizationName("NetApp")
            OrganizationalUnitName("SolidFire")
        }
        let csr = try CertificateSigningRequest(
            version: .v1, subject: subject, privateKey: key, attributes: .init(),
            signatureAlgorithm: algorithm)
        return try csr.serializeAsPEM().pemString
    }

    func testSubjectIsReplaced() throws {
        let ca = try KMIPCA.generate(now: now)
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let cred = try ca.signCSR(
            pem: try makeCSR(key: key), scopeID: "cjUSI", roleID: "dv4Ym", requiredKeySpec: .defaultEC, ttl: 3600, now: now)
        XCTAssertEqual(PKITestSupport.attributes(cred.certificate.subject).map { "\($0.0)=\($0.1)" }, ["OU=cjUSI", "CN=dv4Ym"])
        XCTAssertEqual(cred.certificate.publicKey, key.publicKey)
        XCTAssertNil(cred.privateKeyPEM)
        XCTAssertEqual(try cred.certificate.extensions.extendedKeyUsage, try ExtendedKeyUsage([.clientAuth]))
        XCTAssertEqual(cred.certificate.extensions[oid: .X509ExtensionID.keyUsage]?.critical, true)
        XCTAssertEqual(cred.certificate.serialNumber.bytes.count, 20)
        XCTAssertEqual(SerialNumbers.serial(decimal: cred.serialNumber), cred.certificate.serialNumber)
        XCTAssertEqual(cred.certificate.notValidAfter, now + 3600)
        XCTAssertEqual(cred.caChain, ca.caChain)
    }

    func testMismatchedKeyIsRefused() throws {
        let ca = try KMIPCA.generate(now: now)
        let p384 = try makeCSR(key: Certificate.PrivateKey(P384.Signing.PrivateKey()), algorithm: .ecdsaWithSHA384)
        XCTAssertThrowsError(try ca.signCSR(pem: p384, scopeID: "s", roleID: "r", requiredKeySpec: .defaultEC, ttl: 60, now: now)) {
            let error = $0 as? PKIError
            XCTAssertEqual(error?.kind, .keyMismatch)
            XCTAssertEqual(error?.message, "csr key is ec 384 but the role requires ec 256")
        }
        XCTAssertThrowsError(try ca.signCSR(
            pem: p384, scopeID: "s", roleID: "r", requiredKeySpec: try KeySpec(type: .rsa, bits: 2048), ttl: 60, now: now)) {
            XCTAssertEqual(($0 as? PKIError)?.kind, .keyMismatch)
        }
        let ed = try makeCSR(key: Certificate.PrivateKey(Curve25519.Signing.PrivateKey()), algorithm: .ed25519)
        XCTAssertThrowsError(try ca.signCSR(pem: ed, scopeID: "s", roleID: "r", requiredKeySpec: .defaultEC, ttl: 60, now: now)) {
            XCTAssertEqual(($0 as? PKIError)?.kind, .keyMismatch)
        }
    }

    func testTamperedCSRIsRefused() throws {
        let ca = try KMIPCA.generate(now: now)
        let pem = try makeCSR(key: Certificate.PrivateKey(P256.Signing.PrivateKey()))
        var der = try PEMDocument(pemString: pem).derBytes
        let needle = Array("NetApp".utf8)
        let at = try XCTUnwrap((0...(der.count - needle.count)).first { Array(der[$0..<$0 + needle.count]) == needle })
        der[at] = UInt8(ascii: "M")  // "MetApp": still a well-formed CSR, signature no longer matches
        let tampered = PEMDocument(type: "CERTIFICATE REQUEST", derBytes: der).pemString
        XCTAssertNoThrow(try CertificateSigningRequest(pemEncoded: tampered))
        XCTAssertThrowsError(try ca.signCSR(pem: tampered, scopeID: "s", roleID: "r", requiredKeySpec: .defaultEC, ttl: 60, now: now)) {
            XCTAssertEqual(($0 as? PKIError)?.kind, .invalidCSR)
        }
        XCTAssertThrowsError(try ca.signCSR(pem: "junk", scopeID: "s", roleID: "r", requiredKeySpec: .defaultEC, ttl: 60, now: now)) {
            XCTAssertEqual(($0 as? PKIError)?.kind, .invalidCSR)
        }
    }
}
