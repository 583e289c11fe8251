import XCTest
import VaultFramework
@testable import StrongroomCLI

final class FormattingTests: XCTestCase {
    func testKeyValueTablePadsToTheLongestKey() {
        let secret = Secret(data: ["listen_addrs": .list([.string("0.0.0.0:5696")]), "tls_min_version": .string("tls12"),
                                   "server_ips": .list([.string("127.0.0.1"), .string("::1")])])
        XCTAssertEqual(TableFormatter.secret(secret), """
            Key                Value
            ---                -----
            listen_addrs       [0.0.0.0:5696]
            server_ips         [127.0.0.1 ::1]
            tls_min_version    tls12
            """)
    }

    func testTTLsPrintAsDurationsAndEmptyAsNA() {
        // The role read shown in the reference: unset overrides read back as 0 / empty.
        let secret = Secret(data: ["operation_all": .bool(true), "tls_client_key_bits": .number(VaultNumber(literal: "0")!),
                                   "tls_client_key_type": .string(""), "tls_client_ttl": .number(VaultNumber(literal: "0")!),
                                   "default_tls_client_ttl": .number(VaultNumber(literal: "1209600")!)])
        XCTAssertEqual(TableFormatter.secret(secret), """
            Key                       Value
            ---                       -----
            default_tls_client_ttl    336h
            operation_all             true
            tls_client_key_bits       0
            tls_client_key_type       n/a
            tls_client_ttl            0s
            """)
    }

    func testSeedCredentialShape() throws {
        let secret = try XCTUnwrap(Secret.parse(Data(Seed.credentialJSON.utf8)))
        let table = try XCTUnwrap(TableFormatter.secret(secret))
        XCTAssertEqual(table, """
            Key              Value
            ---              -----
            ca_chain         [\(Seed.intermediate) \(Seed.root)]
            certificate      \(Seed.certificate)
            private_key      \(Seed.privateKey)
            serial_number    \(Seed.serial)
            """)
        // Flattened the way the seed page shows it.
        let flat = table.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        XCTAssertTrue(flat.hasPrefix("Key Value --- ----- ca_chain [-----BEGIN CERTIFICATE----- MIICNTCCAZigAwIBAgIU"), flat)
        XCTAssertTrue(flat.hasSuffix("-----END EC PRIVATE KEY----- serial_number 317328055225536560033788492808123425026102524390"), flat)
    }

    func testNothingToShowPrintsNothing() {
        XCTAssertNil(TableFormatter.secret(Secret(data: [:])))
        XCTAssertNil(TableFormatter.secret(Secret()))
    }

    func testLeaseRows() {
        var s = Secret(data: ["k": .string("v")])
        s.leaseDuration = 2_764_800
        XCTAssertEqual(TableFormatter.secret(s), """
            Key                 Value
            ---                 -----
            refresh_interval    768h
            k                   v
            """)
        s.leaseID = "kmip/x/abc"
        s.renewable = true
        s.leaseDuration = 90
        XCTAssertEqual(TableFormatter.secret(s), """
            Key                Value
            ---                -----
            lease_id           kmip/x/abc
            lease_duration     1m30s
            lease_renewable    true
            k                  v
            """)
    }

    func testListTableIsSorted() {
        XCTAssertEqual(TableFormatter.list(["my-service", "finance", "b"]), "Keys\n----\nb\nfinance\nmy-service")
    }

    func testSecretsListTable() {
        XCTAssertEqual(TableFormatter.table(headers: ["Path", "Type", "Accessor", "Description"], rows: [
            ["cubbyhole/", "cubbyhole", "cubbyhole_3c4e", "per-token private secret storage"],
            ["kmip/", "kmip", "kmip_5b1f", ""],
        ]), """
            Path          Type         Accessor          Description
            ----          ----         --------          -----------
            cubbyhole/    cubbyhole    cubbyhole_3c4e    per-token private secret storage
            kmip/         kmip         kmip_5b1f         n/a
            """)
    }

    func testHumanDurations() {
        let cases: [(Int64, String)] = [(0, "0s"), (45, "45s"), (60, "1m"), (90, "1m30s"), (3600, "1h"), (3661, "1h1m1s"),
                                        (3605, "1h5s"), (86400, "24h"), (1_209_600, "336h"), (36000, "10h"), (-90, "-1m30s")]
        for (seconds, text) in cases { XCTAssertEqual(VaultDuration.human(seconds: seconds), text, "\(seconds)") }
    }

    func testDurationKeysOnlyConvertIntegers() {
        XCTAssertEqual(TableFormatter.cell(key: "default_tls_client_ttl", value: .number(VaultNumber(literal: "86400")!)), "24h")
        XCTAssertEqual(TableFormatter.cell(key: "default_tls_client_ttl", value: .string("24h")), "24h")
        XCTAssertEqual(TableFormatter.cell(key: "ttl", value: .number(VaultNumber(literal: "1.5")!)), "1.5")
        XCTAssertEqual(TableFormatter.cell(key: "tls_client_key_bits", value: .number(VaultNumber(literal: "256")!)), "256")
        XCTAssertTrue(Durations.looksLikeDuration("connection_timeout") == false)
        XCTAssertTrue(Durations.looksLikeDuration("lease_max"))
    }

    func testSecretJSONMatchesVaultsFieldOrder() throws {
        let secret = try XCTUnwrap(Secret.parse(Data(#"{"request_id":"r1","lease_id":"","lease_duration":0,"renewable":false,"data":{"ca_pem":"-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n"},"warnings":null}"#.utf8)))
        XCTAssertEqual(secret.indentedJSON, #"""
            {
              "request_id": "r1",
              "lease_id": "",
              "lease_duration": 0,
              "renewable": false,
              "data": {
                "ca_pem": "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n"
              },
              "warnings": null
            }
            """#)
    }

    func testEmptyBodyIsNoSecret() throws {
        XCTAssertNil(try Secret.parse(Data()))
        XCTAssertNil(try Secret.parse(Data(" \n".utf8)))
        XCTAssertThrowsError(try Secret.parse(Data("[]".utf8)))
        XCTAssertThrowsError(try Secret.parse(Data(#"{"data":"x"}"#.utf8)))
    }

    func testWarningsWrapAt78Columns() {
        let text = TableFormatter.warnings([String(repeating: "word ", count: 20).trimmingCharacters(in: .whitespaces)])
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.first, "WARNING! The following warnings were returned from Vault:")
        XCTAssertTrue(lines[2].hasPrefix("  * word word"))
        XCTAssertTrue(lines.allSatisfy { $0.count <= 78 })
    }
}
