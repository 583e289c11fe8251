import Foundation
import XCTest
@testable import StrongroomAPI

final class KMIPCredentialPathTests: XCTestCase {
    static let base = "kmip/scope/s1/role/r1/credential"

    func testGenerateShapeListAndLookup() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await h.scopeAndRole()
        await h.expect(404, .list, Self.base)
        let r = await h.expect(200, .write, "\(Self.base)/generate")
        let d = try XCTUnwrap(r.data)
        let chain = try XCTUnwrap(d["ca_chain"]?.listValue?.compactMap(\.stringValue))
        XCTAssertEqual(chain.count, 2)
        let awaited1 = await h.expect(200, .read, "kmip/ca")
        let caPEM = try XCTUnwrap(awaited1.string("ca_pem"))
        XCTAssertEqual(chain.joined(separator: "\n") + "\n", caPEM, "ca_chain is the CA, intermediate first")
        let certificate = try XCTUnwrap(d["certificate"]?.stringValue)
        XCTAssertEqual(APITestSupport.pemCount(certificate), 1)
        XCTAssertTrue(d["private_key"]?.stringValue?.contains("PRIVATE KEY-----") ?? false)
        let serial = try XCTUnwrap(d["serial_number"]?.stringValue)
        XCTAssertTrue(serial.allSatisfy(\.isNumber) && !serial.isEmpty)
        let text = try APITestSupport.certificateText(certificate)
        XCTAssertTrue(text.contains("TLS Web Client Authentication"))

        let list = await h.expect(200, .list, Self.base)
        XCTAssertEqual(list.keys, [serial])
        let lookup = await h.expect(200, .read, "\(Self.base)/lookup", query: [("serial_number", serial)])
        XCTAssertEqual(lookup.string("certificate"), certificate)
        XCTAssertEqual(lookup.string("serial_number"), serial)
        XCTAssertNil(lookup.data?["private_key"], "the key is never stored")
        XCTAssertEqual(lookup.data?["ca_chain"]?.listValue?.count, 2)

        await h.expect(400, .read, "\(Self.base)/lookup")
        await h.expect(404, .read, "\(Self.base)/lookup", query: [("serial_number", "12345")])
        await h.expect(404, .write, "kmip/scope/s1/role/absent/credential/generate")
    }

    func testFormats() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await h.scopeAndRole()
        let awaited2 = await h.expect(200, .write, "\(Self.base)/generate", ["format": "der"])
        let der = try XCTUnwrap(awaited2.data)
        let certDER = try XCTUnwrap(Data(base64Encoded: der["certificate"]?.stringValue ?? ""))
        XCTAssertEqual(certDER.first, 0x30, "DER SEQUENCE")
        XCTAssertEqual(Data(base64Encoded: der["private_key"]?.stringValue ?? "")?.first, 0x30, "PKCS#8 DER")
        XCTAssertEqual(der["ca_chain"]?.listValue?.compactMap { Data(base64Encoded: $0.stringValue ?? "") }.count, 2)

        let awaited3 = await h.expect(200, .write, "\(Self.base)/generate", ["format": "pem_bundle"])
        let bundle = try XCTUnwrap(awaited3.data)
        let bundled = try XCTUnwrap(bundle["certificate"]?.stringValue)
        XCTAssertEqual(APITestSupport.pemCount(bundled), 3, "certificate + chain")
        XCTAssertTrue(bundled.contains("PRIVATE KEY"))

        let awaited4 = await h.expect(200, .write, "\(Self.base)/generate", ["format": "pem"])
        let pem = try XCTUnwrap(awaited4.data)
        XCTAssertEqual(APITestSupport.pemCount(pem["certificate"]?.stringValue ?? ""), 1)

        let bad = await h.expect(400, .write, "\(Self.base)/generate", ["format": "pkcs12"])
        XCTAssertTrue(bad.errors.first?.contains("format") ?? false)
        let list = await h.expect(200, .list, Self.base)
        XCTAssertEqual(list.keys?.count, 3, "the refused request issued nothing")

        let serial = try XCTUnwrap(pem["serial_number"]?.stringValue)
        let lookupDER = await h.expect(200, .read, "\(Self.base)/lookup", query: [("serial_number", serial), ("format", "der")])
        XCTAssertEqual(Data(base64Encoded: lookupDER.string("certificate") ?? "")?.first, 0x30)
    }

    func testCredentialsNeedTheConfig() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount("kmip", config: nil)
        await h.scopeAndRole()
        let r = await h.expect(400, .write, "\(Self.base)/generate")
        XCTAssertTrue(r.errors.first?.contains("kmip/config") ?? false, "\(r.errors)")
        await h.expect(404, .list, Self.base)
    }

    func testRoleOverridesShapeTheCertificate() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await h.scopeAndRole("kmip", scope: "s1", role: "r1", [
            "operation_all": true, "tls_client_key_type": "rsa", "tls_client_key_bits": 2048, "tls_client_ttl": "1h",
        ])
        let awaited5 = await h.expect(200, .write, "\(Self.base)/generate")
        let d = try XCTUnwrap(awaited5.data)
        let text = try APITestSupport.certificateText(d["certificate"]?.stringValue ?? "")
        XCTAssertTrue(text.contains("2048 bit"), text)
        XCTAssertTrue(text.contains("rsaEncryption"))
    }

    func testSignCSR() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await h.scopeAndRole()
        let csr = try APITestSupport.csr(ecCurve: "P-256")
        let awaited6 = await h.expect(200, .write, "\(Self.base)/sign", ["csr": .string(csr)])
        let d = try XCTUnwrap(awaited6.data)
        XCTAssertNil(d["private_key"])
        XCTAssertEqual(d["ca_chain"]?.listValue?.count, 2)
        let serial = try XCTUnwrap(d["serial_number"]?.stringValue)
        let text = try APITestSupport.certificateText(d["certificate"]?.stringValue ?? "")
        XCTAssertFalse(text.contains("NetApp"), "the CSR subject is replaced")
        let list = await h.expect(200, .list, Self.base)
        XCTAssertEqual(list.keys, [serial])

        let rsa = try APITestSupport.csr(rsaBits: 2048)
        await h.expect(400, .write, "\(Self.base)/sign", ["csr": .string(rsa)])
        await h.expect(400, .write, "\(Self.base)/sign", [:])
        await h.expect(400, .write, "\(Self.base)/sign", ["csr": "not a csr"])
        await h.expect(400, .write, "\(Self.base)/sign", ["csr": .string(csr), "format": "zip"])
    }

    func testRevokeBySerialOrCertificate() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await h.scopeAndRole()
        let awaited7 = await h.expect(200, .write, "\(Self.base)/generate")
        let a = try XCTUnwrap(awaited7.data)
        let awaited8 = await h.expect(200, .write, "\(Self.base)/generate")
        let b = try XCTUnwrap(awaited8.data)
        let serialA = try XCTUnwrap(a["serial_number"]?.stringValue)
        let serialB = try XCTUnwrap(b["serial_number"]?.stringValue)
        let certB = try XCTUnwrap(b["certificate"]?.stringValue)

        let both = await h.expect(400, .write, "\(Self.base)/revoke", ["serial_number": .string(serialA), "certificate": .string(certB)])
        XCTAssertEqual(both.errors, ["exactly one of serial_number or certificate must be provided"])
        await h.expect(400, .write, "\(Self.base)/revoke", [:])

        await h.expect(204, .write, "\(Self.base)/revoke", ["serial_number": .string(serialA)])
        let list = await h.expect(200, .list, Self.base)
        XCTAssertEqual(list.keys, [serialB])
        await h.expect(404, .read, "\(Self.base)/lookup", query: [("serial_number", serialA)])
        let identity = try await h.registry.mount(at: "kmip")?.mount.credential(scope: "s1", role: "r1", serialNumber: serialB)
        XCTAssertNotNil(identity)

        await h.expect(204, .write, "\(Self.base)/revoke", ["certificate": .string(certB)])
        await h.expect(404, .list, Self.base)
        await h.expect(404, .write, "\(Self.base)/revoke", ["serial_number": .string(serialA)])
    }
}
