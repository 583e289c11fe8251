import XCTest
@testable import StrongroomCLI
import VaultFramework

final class KeyValueArgumentsTests: XCTestCase {
    func parse(_ args: [String], _ sources: ArgumentSources = .fixed()) throws -> [String: VaultValue] {
        try KeyValueArguments.parse(args, sources: sources)
    }

    func testKeyValuePairsAreStrings() throws {
        XCTAssertEqual(try parse(["listen_addrs=0.0.0.0:5696", "operation_all=true"]),
                       ["listen_addrs": .string("0.0.0.0:5696"), "operation_all": .string("true")])
    }

    func testOnlyTheFirstEqualsSplits() throws {
        XCTAssertEqual(try parse(["csr=a=b=="]), ["csr": .string("a=b==")])
        XCTAssertEqual(try parse(["empty="]), ["empty": .string("")])
    }

    func testAtFileReadsTheFile() throws {
        let pem = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"
        XCTAssertEqual(try parse(["csr=@my-csr.pem"], .fixed(files: ["my-csr.pem": pem])), ["csr": .string(pem)])
    }

    func testMissingFileIsAnError() {
        XCTAssertThrowsError(try parse(["csr=@nope.pem"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("Invalid key/value pair 'csr=@nope.pem': error reading file:"), "\(error)")
        }
    }

    func testEscapedAtIsLiteral() throws {
        XCTAssertEqual(try parse(["user=\\@admin"]), ["user": .string("@admin")])
    }

    func testDashValueReadsStdin() throws {
        XCTAssertEqual(try parse(["csr=-"], .fixed(stdin: "PEM DATA\n")), ["csr": .string("PEM DATA\n")])
    }

    func testStdinIsReadOnce() {
        XCTAssertThrowsError(try parse(["a=-", "b=-"], .fixed(stdin: "x"))) { error in
            XCTAssertEqual("\(error)", "Invalid key/value pair 'b=-': stdin already consumed")
        }
    }

    func testLoneDashMergesAJSONObjectFromStdin() throws {
        let stdin = #"{"listen_addrs": ["0.0.0.0:5696", "[::]:5696"], "tls_ca_key_bits": 256, "x": true}"#
        XCTAssertEqual(try parse(["-", "server_hostnames=kmip.example.com"], .fixed(stdin: stdin)), [
            "listen_addrs": .list([.string("0.0.0.0:5696"), .string("[::]:5696")]),
            "tls_ca_key_bits": .number(VaultNumber(literal: "256")!),
            "x": .bool(true),
            "server_hostnames": .string("kmip.example.com"),
        ])
    }

    func testLoneAtFileMergesJSON() throws {
        XCTAssertEqual(try parse(["@config.json"], .fixed(files: ["config.json": #"{"a":"b"}"#])), ["a": .string("b")])
    }

    func testLoneDashRejectsNonObjects() {
        XCTAssertThrowsError(try parse(["-"], .fixed(stdin: "[1,2]")))
        XCTAssertThrowsError(try parse(["-"], .fixed(stdin: "not json")))
    }

    func testRepeatedKeysBecomeAList() throws {
        XCTAssertEqual(try parse(["server_ips=10.0.0.1", "server_ips=10.0.0.2", "server_ips=::1"]),
                       ["server_ips": .list([.string("10.0.0.1"), .string("10.0.0.2"), .string("::1")])])
    }

    func testRepeatedKeyAppendsToAJSONList() throws {
        XCTAssertEqual(try parse(["-", "a=3"], .fixed(stdin: #"{"a":["1","2"]}"#)),
                       ["a": .list([.string("1"), .string("2"), .string("3")])])
    }

    func testMissingEqualsIsAnError() {
        XCTAssertThrowsError(try parse(["oops"])) { error in
            XCTAssertEqual("\(error)", "Invalid key/value pair 'oops': format must be key=value")
        }
    }

    func testEmptyArgumentsAreIgnored() throws {
        XCTAssertEqual(try parse(["", "a=b"]), ["a": .string("b")])
    }

    func testQueryParameters() throws {
        let data = try parse(["force=true", "x=1", "x=2"])
        XCTAssertEqual(try KeyValueArguments.queryParameters(data), ["force": ["true"], "x": ["1", "2"]])
        XCTAssertEqual(try KeyValueArguments.queryParameters(["n": .number(VaultNumber(literal: "5")!), "b": .bool(true)]), ["n": ["5"], "b": ["1"]])
        XCTAssertThrowsError(try KeyValueArguments.queryParameters(["m": .object([:])]))
    }
}
