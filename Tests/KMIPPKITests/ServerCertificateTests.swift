import Foundation
import SwiftASN1
import X509
import XCTest
@testable import KMIPPKI

final class ServerCertificateTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_750_000_000)

    func testCNAndSANs() throws {
        let ca = try KMIPCA.generate(now: now)
        let server = try ca.issueServerCertificate(
            hostnames: ["kmip.example.com", "localhost", "KMIP.example.com"], ips: ["10.0.0.5", "127.0.0.1", "2001:db8::1"],
            now: now)
        let cert = server.certificate
        XCTAssertEqual(PKITestSupport.attributes(cert.subject).map { "\($0.0)=\($0.1)" }, ["CN=kmip.example.com"])
        XCTAssertEqual(cert.issuer, ca.intermediate.subject)
        let sans = try XCTUnwrap(try cert.extensions.subjectAlternativeNames)
        let dns = sans.compactMap { if case .dnsName(let n) = $0 { return n } else { return nil } }
        let ips = sans.compactMap { if case .ipAddress(let o) = $0 { return Array(o.bytes) } else { return nil } }
        XCTAssertEqual(dns, ["kmip.example.com", "localhost"])
        XCTAssertEqual(ips, [
            [10, 0, 0, 5], [127, 0, 0, 1],
            [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        ])
        XCTAssertEqual(try cert.extensions.extendedKeyUsage, try ExtendedKeyUsage([.serverAuth]))
        XCTAssertEqual(try cert.extensions.basicConstraints, nil)
        XCTAssertTrue(ca.intermediate.publicKey.isValidSignature(cert.signature, for: cert))
        XCTAssertEqual(cert.notValidBefore, now - 30)
        // Key is the CA's spec by default and matches the certificate.
        XCTAssertEqual(KeySpec(of: cert.publicKey), ca.keySpec)
        let key = try Certificate.PrivateKey(pemEncoded: server.privateKeyPEM)
        XCTAssertEqual(key.publicKey, cert.publicKey)
        XCTAssertTrue(server.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        XCTAssertFalse(server.description.contains("BEGIN"))
    }

    func testDefaultsAndErrors() throws {
        let ca = try KMIPCA.generate(now: now)
        let cert = try ca.issueServerCertificate(hostnames: ["localhost"], now: now).certificate
        let sans = Array(try XCTUnwrap(try cert.extensions.subjectAlternativeNames))
        XCTAssertEqual(sans.count, 3)  // localhost, 127.0.0.1, ::1
        XCTAssertThrowsError(try ca.issueServerCertificate(hostnames: [], now: now))
        XCTAssertThrowsError(try ca.issueServerCertificate(hostnames: ["a"], ips: ["not-an-ip"], now: now)) {
            XCTAssertEqual(($0 as? PKIError)?.kind, .invalidParameter)
        }
    }
}
