import Foundation
import SwiftASN1
import X509
import XCTest
@testable import KMIPPKI

final class ClientCredentialTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_750_000_000)

    func testClientProfile() throws {
        let ca = try KMIPCA.generate(now: now)
        let cred = try ca.issueClientCredential(scopeID: "ilV63", roleID: "2FyVN", keySpec: .defaultEC, ttl: 336 * 3600, now: now)
        let cert = cred.certificate
        XCTAssertEqual(PKITestSupport.attributes(cert.subject).map { "\($0.0)=\($0.1)" }, ["OU=ilV63", "CN=2FyVN"])
        XCTAssertEqual(cert.issuer, ca.intermediate.subject)
        XCTAssertEqual(try cert.extensions.keyUsage, KeyUsage(digitalSignature: true, keyEncipherment: true, keyAgreement: true))
        XCTAssertEqual(cert.extensions[oid: .X509ExtensionID.keyUsage]?.critical, true)
        XCTAssertEqual(try cert.extensions.extendedKeyUsage, try ExtendedKeyUsage([.clientAuth]))
        XCTAssertNil(try cert.extensions.subjectAlternativeNames)
        XCTAssertNil(try cert.extensions.basicConstraints)
        XCTAssertEqual(try cert.extensions.subjectKeyIdentifier, SubjectKeyIdentifier(hash: cert.publicKey))
        XCTAssertEqual(
            try cert.extensions.authorityKeyIdentifier?.keyIdentifier,
            try ca.intermediate.extensions.subjectKeyIdentifier?.keyIdentifier)
        XCTAssertEqual(cert.notValidBefore, now - 30)
        XCTAssertEqual(cert.notValidAfter, now + 336 * 3600)
        XCTAssertTrue(ca.intermediate.publicKey.isValidSignature(cert.signature, for: cert))

        // Serial: 20 bytes, positive, reported as decimal that round-trips.
        XCTAssertEqual(cert.serialNumber.bytes.count, 20)
        XCTAssertLessThan(cert.serialNumber.bytes.first!, 0x80)
        XCTAssertEqual(SerialNumbers.serial(decimal: cred.serialNumber), cert.serialNumber)
        XCTAssertGreaterThanOrEqual(cred.serialNumber.count, 46)

        // PEMs.
        XCTAssertEqual(try Certificate(pemEncoded: cred.certificatePEM), cert)
        let pem = try XCTUnwrap(cred.privateKeyPEM)
        XCTAssertTrue(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        XCTAssertEqual(try Certificate.PrivateKey(pemEncoded: pem).publicKey, cert.publicKey)
        XCTAssertEqual(cred.caChain, ca.caChain)
        XCTAssertFalse(cred.description.contains("PRIVATE KEY"))
        XCTAssertTrue(cred.description.contains("redacted"))
    }

    func testKeySpecs() throws {
        let ca = try KMIPCA.generate(now: now)
        for spec in [try KeySpec(type: .ec, bits: 384), try KeySpec(type: .ec, bits: 521), try KeySpec(type: .rsa, bits: 2048)] {
            let cred = try ca.issueClientCredential(scopeID: "s", roleID: "r", keySpec: spec, ttl: 60, now: now)
            XCTAssertEqual(KeySpec(of: cred.certificate.publicKey), spec)
            let key = try Certificate.PrivateKey(pemEncoded: try XCTUnwrap(cred.privateKeyPEM))
            XCTAssertEqual(key.publicKey, cred.certificate.publicKey)
            XCTAssertTrue(cred.privateKeyPEM!.hasPrefix("-----BEGIN PRIVATE KEY-----"), "\(spec) is PKCS#8")
        }
    }

    func testTTLRules() throws {
        let ca = try KMIPCA.generate(now: now)
        XCTAssertThrowsError(try ca.issueClientCredential(scopeID: "s", roleID: "r", keySpec: .defaultEC, ttl: 0, now: now))
        XCTAssertThrowsError(try ca.issueClientCredential(scopeID: "", roleID: "r", keySpec: .defaultEC, ttl: 60, now: now))
        // Capped at the CA's own expiry.
        let long = try ca.issueClientCredential(scopeID: "s", roleID: "r", keySpec: .defaultEC, ttl: 20 * 365 * 86400, now: now)
        XCTAssertEqual(long.certificate.notValidAfter, ca.intermediate.notValidAfter)
    }
}
