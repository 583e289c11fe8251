import Foundation
import KMIP
import KMIPEngine
import XCTest

/// Register of a Certificate sets the attributes the spec derives from it; `openssl x509` is the oracle.
final class CertificateAttributeTests: XCTestCase {
    struct Made { var der: [UInt8]; var serialHex: String; var issuer: String; var subject: String; var issuerDER: [UInt8] }

    /// A self-signed certificate from `openssl req` with the given `-newkey` and digest.
    func makeCertificate(newkey: [String], digest: String) throws -> Made {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let der = dir.appendingPathComponent("c.der").path
        try MountTestSupport.openssl(["req", "-x509"] + newkey + ["-\(digest)", "-nodes", "-days", "2",
                                      "-subj", "/C=US/O=TEST/OU=OASIS/CN=Strongroom cert test",
                                      "-keyout", dir.appendingPathComponent("k.pem").path, "-outform", "DER", "-out", der])
        let text = try MountTestSupport.openssl(["x509", "-inform", "DER", "-in", der, "-noout", "-serial",
                                                 "-nameopt", "RFC2253", "-issuer", "-subject"])
        func field(_ prefix: String) -> String {
            text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) } ?? ""
        }
        // The issuer Name's DER, cut from the certificate by `openssl asn1parse` (TBSCertificate's 4th element).
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: der)))
        let parsed = try MountTestSupport.openssl(["asn1parse", "-inform", "DER", "-in", der])
        let issuerLine = try XCTUnwrap(parsed.split(separator: "\n").filter { $0.contains("d=2") && $0.contains("SEQUENCE") }.dropFirst().first)
        let offset = Int(issuerLine.split(separator: ":")[0].trimmingCharacters(in: .whitespaces))!
        let header = Int(issuerLine.split(separator: "hl=")[1].split(separator: " ")[0])!
        let length = Int(issuerLine.split(separator: "l=")[2].trimmingCharacters(in: .whitespaces).split(separator: " ")[0])!
        return Made(der: bytes, serialHex: field("serial="), issuer: field("issuer="), subject: field("subject="),
                    issuerDER: Array(bytes[offset..<(offset + header + length)]))
    }

    func register(_ der: [UInt8], _ h: EngineHarness, version: ProtocolVersion = .v1_4) async throws -> String {
        var p = RegisterRequestPayload()
        p.objectType = .certificate
        p.object = .certificate(Certificate(.x509, ByteString(der)))
        p.templateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.verify]))])
        return try await h.succeed(.register, p, RegisterResponsePayload.self, version: version).uniqueIdentifier
    }

    func attributes(_ uid: String, _ h: EngineHarness, version: ProtocolVersion = .v1_4) async throws -> [Attribute] {
        var g = GetAttributesRequestPayload()
        g.uniqueIdentifier = uid
        return try await h.succeed(.getAttributes, g, GetAttributesResponsePayload.self, version: version).attributes
    }

    func testECCertificateAttributes() async throws {
        let made = try makeCertificate(newkey: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp256k1"], digest: "sha384")
        let h = try await EngineHarness.make()
        let uid = try await register(made.der, h)
        let all = try await attributes(uid, h)
        func value<T>(_ name: String, _ type: T.Type) -> T? { all.first { $0.attributeName == name }?.value(as: type) }

        XCTAssertEqual(value("Certificate Type", CertificateType.self), .x509)
        XCTAssertEqual(value("Certificate Length", Int32.self), Int32(made.der.count))
        XCTAssertEqual(value("Digital Signature Algorithm", DigitalSignatureAlgorithm.self), .ecdsaWithSHA384)
        XCTAssertEqual(value("Cryptographic Algorithm", CryptographicAlgorithm.self), .ec)
        XCTAssertEqual(value("Cryptographic Length", Int32.self), 256)
        let identifier = try XCTUnwrap(value("Certificate Identifier", CertificateIdentifier.self))
        XCTAssertEqual(identifier.issuer, made.issuer)
        XCTAssertEqual(identifier.serialNumber, made.serialHex)
        XCTAssertEqual(value("Certificate Subject", CertificateSubject.self)?.certificateSubjectDistinguishedName, made.subject)
        XCTAssertEqual(value("Certificate Issuer", CertificateIssuer.self)?.certificateIssuerDistinguishedName, made.issuer)
        XCTAssertEqual(made.subject, "CN=Strongroom cert test,OU=OASIS,O=TEST,C=US")
        let x509 = try XCTUnwrap(value("X.509 Certificate Identifier", X509CertificateIdentifier.self))
        XCTAssertEqual(x509.issuerDistinguishedName.bytes, made.issuerDER)
        // The serial as a DER INTEGER: tag 02, a length, then the bytes `openssl` printed in hex.
        XCTAssertEqual(x509.certificateSerialNumber.bytes.first, 0x02)
        XCTAssertEqual(x509.certificateSerialNumber.bytes.dropFirst(2).map { String(format: "%02X", $0) }.joined()
                           .drop { $0 == "0" }, made.serialHex.drop { $0 == "0" })
        // Self-signed: subject and issuer are the same Name.
        XCTAssertEqual(value("X.509 Certificate Subject", X509CertificateSubject.self)?.subjectDistinguishedName.bytes, made.issuerDER)
        XCTAssertEqual(value("X.509 Certificate Issuer", X509CertificateIssuer.self)?.issuerDistinguishedName.bytes, made.issuerDER)

        // 1.0 defines neither the X.509 forms, Certificate Length nor Digital Signature Algorithm.
        let names10 = Set(try await attributes(uid, h, version: .v1_0).map(\.attributeName))
        XCTAssertTrue(names10.isSuperset(of: ["Certificate Type", "Certificate Identifier", "Certificate Subject", "Certificate Issuer"]))
        XCTAssertTrue(names10.isDisjoint(with: ["X.509 Certificate Identifier", "Certificate Length", "Digital Signature Algorithm"]))
    }

    func testRSACertificateAndMalformedCertificate() async throws {
        let made = try makeCertificate(newkey: ["-newkey", "rsa:2048"], digest: "sha256")
        let h = try await EngineHarness.make()
        let uid = try await register(made.der, h)
        let all = try await attributes(uid, h)
        XCTAssertEqual(all.first { $0.attributeName == "Digital Signature Algorithm" }?.value(as: DigitalSignatureAlgorithm.self),
                       .sha256WithRSAEncryptionPKCS1V15)
        XCTAssertEqual(all.first { $0.attributeName == "Cryptographic Algorithm" }?.value(as: CryptographicAlgorithm.self), .rsa)
        XCTAssertEqual(all.first { $0.attributeName == "Cryptographic Length" }?.value(as: Int32.self), 2048)

        var p = RegisterRequestPayload()
        p.objectType = .certificate
        p.object = .certificate(Certificate(.x509, ByteString(Array(made.der.dropLast(3)))))
        p.templateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.verify]))])
        await h.fail(.register, p, .invalidField)
    }
}
