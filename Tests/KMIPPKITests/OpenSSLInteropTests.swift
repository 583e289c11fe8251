import Foundation
import X509
import KMIPTestSupport
import XCTest
@testable import KMIPPKI

/// Cross-checks issued certificates with the `openssl` command line tool.
final class OpenSSLInteropTests: XCTestCase {

    var dir: URL!

    override func setUpWithError() throws {
        guard OpenSSLTool.isInstalled else { throw XCTSkip("openssl not found: interop with OpenSSL NOT TESTED") }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("kmippki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    @discardableResult
    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try OpenSSLTool.execute(arguments, in: dir)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func testOpenSSLVerifiesClientCertificate() throws {
        let ca = try KMIPCA.generate()
        let cred = try ca.issueClientCredential(scopeID: "ilV63", roleID: "2FyVN", keySpec: .defaultEC, ttl: 3600)
        try write("root.pem", ca.rootPEM)
        try write("int.pem", ca.intermediatePEM)
        try write("leaf.pem", cred.certificatePEM)
        try write("key.pem", cred.privateKeyPEM!)
        try write("chain.pem", ca.caChainPEM)

        let verify = try run(["verify", "-purpose", "sslclient", "-CAfile", "root.pem", "-untrusted", "int.pem", "leaf.pem"])
        XCTAssertEqual(verify.status, 0, verify.output)
        XCTAssertTrue(verify.output.contains("leaf.pem: OK"), verify.output)
        // The whole ca_chain as -untrusted works too (root is then both trusted and offered).
        XCTAssertEqual(try run(["verify", "-CAfile", "root.pem", "-untrusted", "chain.pem", "leaf.pem"]).status, 0)
        // Negative control: without the intermediate the chain is incomplete.
        XCTAssertNotEqual(try run(["verify", "-CAfile", "root.pem", "leaf.pem"]).status, 0)
        // A client certificate is not a server certificate.
        XCTAssertNotEqual(try run(["verify", "-purpose", "sslserver", "-CAfile", "root.pem", "-untrusted", "int.pem", "leaf.pem"]).status, 0)

        let text = try run(["x509", "-noout", "-text", "-in", "leaf.pem"])
        XCTAssertEqual(text.status, 0, text.output)
        XCTAssertTrue(text.output.contains("Subject: OU = ilV63, CN = 2FyVN"), text.output)
        XCTAssertTrue(text.output.contains("Issuer: CN = strongroom-kmip-default-intermediate"), text.output)
        XCTAssertTrue(text.output.contains("Digital Signature, Key Encipherment, Key Agreement"), text.output)
        XCTAssertTrue(text.output.contains("TLS Web Client Authentication"), text.output)
        let serial = try run(["x509", "-noout", "-serial", "-in", "leaf.pem"])
        let hex = serial.output.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
        XCTAssertEqual(hex.count, 40, hex)
        XCTAssertEqual(hex.uppercased(), Array(cred.certificate.serialNumber.bytes).map { String(format: "%02X", $0) }.joined())

        // The private key (PKCS#8) belongs to the certificate.
        let keyPub = try run(["pkey", "-in", "key.pem", "-pubout"])
        let certPub = try run(["x509", "-in", "leaf.pem", "-noout", "-pubkey"])
        XCTAssertEqual(keyPub.status, 0, keyPub.output)
        XCTAssertEqual(keyPub.output, certPub.output)
    }

    func testOpenSSLReadsCAAndServerCertificate() throws {
        let ca = try KMIPCA.generate(keySpec: try KeySpec(type: .rsa, bits: 2048))
        let server = try ca.issueServerCertificate(hostnames: ["kmip.example.com"], ips: ["10.1.2.3"])
        try write("root.pem", ca.rootPEM)
        try write("int.pem", ca.intermediatePEM)
        try write("server.pem", server.certificatePEM)
        let verify = try run(["verify", "-purpose", "sslserver", "-CAfile", "root.pem", "-untrusted", "int.pem", "server.pem"])
        XCTAssertEqual(verify.status, 0, verify.output)
        let text = try run(["x509", "-noout", "-text", "-in", "server.pem"])
        XCTAssertTrue(text.output.contains("DNS:kmip.example.com, IP Address:10.1.2.3, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"), text.output)
        let root = try run(["x509", "-noout", "-text", "-in", "root.pem"])
        XCTAssertTrue(root.output.contains("CA:TRUE, pathlen:10"), root.output)
        XCTAssertTrue(root.output.contains("Certificate Sign, CRL Sign"), root.output)
        let int = try run(["x509", "-noout", "-text", "-in", "int.pem"])
        XCTAssertTrue(int.output.contains("CA:TRUE, pathlen:9"), int.output)
    }
}
