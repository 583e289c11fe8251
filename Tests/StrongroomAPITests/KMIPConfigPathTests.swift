import Foundation
import XCTest
@testable import StrongroomAPI
import VaultFramework

final class KMIPConfigPathTests: XCTestCase {
    func testDefaultsReadBack() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount("kmip", config: nil)
        await h.expect(404, .read, "kmip/config")
        await h.expect(204, .write, "kmip/config", [:])
        let r = await h.expect(200, .read, "kmip/config")
        let d = try XCTUnwrap(r.data)
        XCTAssertEqual(d["listen_addrs"], ["127.0.0.1:5696"])
        XCTAssertEqual(d["connection_timeout"], 1)
        XCTAssertEqual(d["server_hostnames"], ["localhost"])
        XCTAssertEqual(d["server_ips"], ["127.0.0.1", "::1"])
        XCTAssertEqual(d["tls_ca_key_type"], "ec")
        XCTAssertEqual(d["tls_ca_key_bits"], 256)
        XCTAssertEqual(d["tls_min_version"], "tls12")
        XCTAssertEqual(d["default_tls_client_key_type"], "ec")
        XCTAssertEqual(d["default_tls_client_key_bits"], 256)
        XCTAssertEqual(d["default_tls_client_ttl"], 1_209_600)
        XCTAssertEqual(d["explicit_attribute_index"], false)
        XCTAssertEqual(d["wrapped_key_value"], "byte_string")
        XCTAssertEqual(d["omit_from_all_attributes"], ["Random Number Generator"])
        XCTAssertEqual(d["https_listen_addrs"], [], "KMIP over HTTPS is off by default")
        XCTAssertEqual(d.count, 14)
    }

    /// The client-compatibility answers (docs/clients.md): Vault's coercion of booleans and comma
    /// lists, a clear 400 for a value the mount does not know, and no listener restart.
    func testClientCompatibilityFields() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount("kmip", config: nil)
        await h.expect(204, .write, "kmip/config", [
            "explicit_attribute_index": "true", "wrapped_key_value": "structure",
            "omit_from_all_attributes": "Random Number Generator,Original Creation Date",
        ])
        let read = await h.expect(200, .read, "kmip/config")
        let d = try XCTUnwrap(read.data)
        XCTAssertEqual(d["explicit_attribute_index"], true)
        XCTAssertEqual(d["wrapped_key_value"], "structure")
        XCTAssertEqual(d["omit_from_all_attributes"], ["Random Number Generator", "Original Creation Date"])
        await h.expect(400, .write, "kmip/config", ["wrapped_key_value": "json"])
        await h.expect(400, .write, "kmip/config", ["omit_from_all_attributes": "Colour"])
        await h.expect(400, .write, "kmip/config", ["explicit_attribute_index": "perhaps"])
        let after = await h.expect(200, .read, "kmip/config")
        XCTAssertEqual(after.data?["wrapped_key_value"], "structure", "a refused write changes nothing")
    }

    func testCommaStringsDurationsAndPartialUpdates() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount("kmip", config: nil)
        await h.expect(204, .write, "kmip/config", [
            "listen_addrs": "127.0.0.1:5696,127.0.0.1:9000", "server_hostnames": "a,b", "server_ips": "10.0.0.1",
            "connection_timeout": "5s", "default_tls_client_ttl": "24h", "default_tls_client_key_bits": "384",
        ])
        let awaited1 = await h.expect(200, .read, "kmip/config")
        var d = try XCTUnwrap(awaited1.data)
        XCTAssertEqual(d["listen_addrs"], ["127.0.0.1:5696", "127.0.0.1:9000"])
        XCTAssertEqual(d["server_hostnames"], ["a", "b"])
        XCTAssertEqual(d["server_ips"], ["10.0.0.1", "127.0.0.1", "::1"])
        XCTAssertEqual(d["connection_timeout"], 5)
        XCTAssertEqual(d["default_tls_client_ttl"], 86400)
        XCTAssertEqual(d["default_tls_client_key_bits"], 384)
        // Only the fields given change; ints and JSON lists are accepted too.
        await h.expect(204, .write, "kmip/config", ["connection_timeout": 7, "server_hostnames": ["c"], "tls_min_version": "tls13"])
        let awaited2 = await h.expect(200, .read, "kmip/config")
        d = try XCTUnwrap(awaited2.data)
        XCTAssertEqual(d["connection_timeout"], 7)
        XCTAssertEqual(d["server_hostnames"], ["c"])
        XCTAssertEqual(d["tls_min_version"], "tls13")
        XCTAssertEqual(d["listen_addrs"], ["127.0.0.1:5696", "127.0.0.1:9000"])
        XCTAssertEqual(d["default_tls_client_ttl"], 86400)
    }

    func testInvalidValuesAre400AndChangeNothing() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount("kmip", config: [:])
        let cases: [[String: VaultValue]] = [
            ["tls_min_version": "tls10"],
            ["tls_ca_key_bits": "abc"],
            ["connection_timeout": "soon"],
            ["listen_addrs": "127.0.0.1:99999"],
            ["server_ips": "not-an-ip"],
            ["default_tls_client_key_type": "dsa"],
            ["default_tls_client_key_bits": 1000],
            ["tls_ca_key_type": "rsa", "tls_ca_key_bits": 2048],   // the CA exists: fixed
            ["listen_addrs": ["a": "b"]],
        ]
        for body in cases {
            let r = await h.expect(400, .write, "kmip/config", body)
            XCTAssertEqual(r.errors.count, 1, "\(body)")
        }
        let awaited3 = await h.expect(200, .read, "kmip/config")
        let d = try XCTUnwrap(awaited3.data)
        XCTAssertEqual(d["tls_min_version"], "tls12")
        XCTAssertEqual(d["tls_ca_key_type"], "ec")
    }

    func testCABeforeAndAfterConfig() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount("kmip", config: nil)
        let before = await h.expect(400, .read, "kmip/ca")
        XCTAssertFalse(before.errors.first?.isEmpty ?? true)
        await h.expect(204, .write, "kmip/config", [:])
        let awaited4 = await h.expect(200, .read, "kmip/ca")
        let pem = try XCTUnwrap(awaited4.string("ca_pem"))
        XCTAssertEqual(APITestSupport.pemCount(pem), 2)
        let intermediate = try APITestSupport.certificateText(pem)   // openssl reads the first block
        XCTAssertTrue(intermediate.contains("intermediate"), "intermediate first")
        // The CA stays the same across config writes.
        await h.expect(204, .write, "kmip/config", ["server_hostnames": "x"])
        let awaited5 = await h.expect(200, .read, "kmip/ca")
        XCTAssertEqual(awaited5.string("ca_pem"), pem)
    }

    func testUnknownFieldsAreIgnoredWithAWarning() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount("kmip", config: nil)
        let r = await h.expect(200, .write, "kmip/config", ["bogus": 1, "another": "x"])
        XCTAssertEqual(r.warnings, ["Endpoint ignored these unrecognized parameters: [another bogus]"])
        let rendered = r.rendered(requestID: "id")
        XCTAssertEqual(rendered.status, 200)
        let json = try XCTUnwrap(VaultValue.parse(rendered.body))
        XCTAssertEqual(json["warnings"], ["Endpoint ignored these unrecognized parameters: [another bogus]"])
        XCTAssertEqual(json["data"], .null)
        await h.expect(200, .read, "kmip/config")
    }

    func testUnsupportedOperationsAre405() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        for (op, path) in [(APIOperation.delete, "kmip/config"), (.list, "kmip/config"), (.write, "kmip/ca"),
                           (.read, "kmip/scope/s1"), (.write, "kmip/scope"), (.read, "kmip/scope/s/role/r/credential/generate")] {
            let r = await h.expect(405, op, path)
            XCTAssertEqual(r.errors, ["unsupported operation"])
        }
        let unknown = await h.expect(404, .read, "kmip/nothing/here")
        XCTAssertEqual(unknown.errors.count, 1)
    }
}
