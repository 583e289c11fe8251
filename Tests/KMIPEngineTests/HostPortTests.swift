import KMIPEngine
import NIOCore
import XCTest

final class HostPortTests: XCTestCase {
    func parse(_ text: String, defaultPort: Int? = nil, zero: Bool = false) -> String? {
        (try? HostPort(parsing: text, defaultPort: defaultPort, allowsPortZero: zero))?.description
    }

    func testTheFormsItAccepts() throws {
        XCTAssertEqual(parse("127.0.0.1:5696"), "127.0.0.1:5696")
        XCTAssertEqual(parse(" kmip.example.com:5696\n"), "kmip.example.com:5696")
        XCTAssertEqual(parse("[::1]:5697"), "[::1]:5697")
        XCTAssertEqual(parse("[fe80::1%eth0]:5696"), "[fe80::1%eth0]:5696")
        XCTAssertEqual(parse("::1", defaultPort: 5696), "[::1]:5696", "a bare IPv6 address takes the default port")
        XCTAssertEqual(parse("[::1]", defaultPort: 5696), "[::1]:5696")
        XCTAssertEqual(parse("localhost", defaultPort: 5696), "localhost:5696")
        XCTAssertEqual(parse("127.0.0.1:0", zero: true), "127.0.0.1:0", "listeners may bind port 0")
        let v6 = try HostPort(parsing: "[::1]:5696")
        XCTAssertEqual(v6.host, "::1")
        XCTAssertEqual(try v6.socketAddress().port, 5696)
        XCTAssertEqual(try HostPort(parsing: "127.0.0.1:8200").socketAddress(), try SocketAddress(ipAddress: "127.0.0.1", port: 8200))
    }

    func testTheFormsItRefuses() {
        for text in ["", ":5696", "host:", "host:port", "host:70000", "[::1", "[::1]5696", "[not-v6]:1", "1:2:3",
                     "a b:1", "host/../x:1", "localhost"] {
            XCTAssertNil(parse(text), text)
        }
        XCTAssertNil(parse("127.0.0.1:0"), "a client cannot connect to port 0")
        XCTAssertTrue(HostPort.isIPAddress("10.0.0.1"))
        XCTAssertTrue(HostPort.isIPAddress("::1"))
        XCTAssertFalse(HostPort.isIPAddress("localhost"))
    }
}
