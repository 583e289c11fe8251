import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import XCTest
@testable import StrongroomAPI
#if canImport(Glibc)
import Glibc
#endif

/// The HTTP API under slow and greedy clients: a half-sent request is cut off at its header
/// deadline, a body over the cap is refused, connections over the cap are closed at accept.
final class HTTPLimitsTests: XCTestCase {
    /// Serves `h` with `limits` on an ephemeral port; returns the port and the serving task.
    func serve(_ h: APIHarness, _ limits: APIConnectionLimits, maxBodySize: Int = 32 << 20) async throws -> (Int, Task<Void, any Error>) {
        let port = NIOLockedValueBox<Int?>(nil)
        let app = try buildApplication(configuration: APIConfiguration(port: 0, maxBodySize: maxBodySize, limits: limits),
                                       router: h.router, onServerRunning: { channel in port.withLockedValue { $0 = channel.localAddress?.port } })
        let serving = Task { try await app.runService(gracefulShutdownSignals: []) }
        for _ in 0..<400 where port.withLockedValue({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
        return (try XCTUnwrap(port.withLockedValue { $0 }), serving)
    }

    /// A blocking loopback socket with a receive timeout.
    final class Socket {
        let fd: Int32
        init(port: Int, receiveTimeout seconds: Int = 5) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var timeout = timeval(tv_sec: seconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        }
        deinit { close(fd) }
        func send(_ text: String) { _ = text.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
        /// Bytes read until the peer closes (nil when the receive timeout passed first).
        func readUntilClosed() -> String? {
            var out: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n == 0 { return String(decoding: out, as: UTF8.self) }
                if n < 0 { return errno == ECONNRESET ? String(decoding: out, as: UTF8.self) : nil }
                out += buffer[0..<n]
            }
        }
    }

    func testAHalfSentRequestIsClosedAtItsHeaderDeadline() async throws {
        let h = try await APIHarness.make()
        var limits = APIConnectionLimits()
        limits.readHeaderTimeout = .milliseconds(300)
        limits.readTimeout = .milliseconds(600)
        let (port, serving) = try await serve(h, limits)
        defer { serving.cancel() }
        let slow = try Socket(port: port)
        slow.send("GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")   // never finished
        XCTAssertNotNil(slow.readUntilClosed(), "the server closed the half-sent request (not the 5 s receive timeout)")
        // A head that arrives but a body that does not: closed at the read deadline.
        let trickle = try Socket(port: port)
        trickle.send("POST /v1/sys/mounts/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{")
        XCTAssertNotNil(trickle.readUntilClosed())
        // A whole request is answered, and its keep-alive connection is not cut by the deadline.
        let fine = try Socket(port: port, receiveTimeout: 2)
        fine.send("GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fine.fd, &buffer, buffer.count, 0)
        XCTAssertGreaterThan(n, 0)
        XCTAssertTrue(String(decoding: buffer[0..<max(0, n)], as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        try await Task.sleep(for: .milliseconds(800))
        fine.send("GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let again = recv(fine.fd, &buffer, buffer.count, 0)
        XCTAssertGreaterThan(again, 0, "an idle keep-alive connection is governed by the idle timeout, not the read deadline")
    }

    func testBodiesOverTheCapAndConnectionsOverTheCapAreRefused() async throws {
        let h = try await APIHarness.make()
        var limits = APIConnectionLimits()
        limits.maxConnections = 2
        let (port, serving) = try await serve(h, limits, maxBodySize: 1024)
        defer { serving.cancel() }
        let big = String(repeating: "x", count: 4096)
        let body = #"{"type":"kmip","description":"\#(big)"}"#
        do {
            let poster = try Socket(port: port)
            poster.send("POST /v1/sys/mounts/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Vault-Token: \(h.root)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
            let answer = try XCTUnwrap(poster.readUntilClosed())
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 413"), answer)
        }
        try await Task.sleep(for: .milliseconds(200))   // the closed connection is no longer counted

        let first = try Socket(port: port), second = try Socket(port: port)
        first.send("GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        second.send("GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        var buffer = [UInt8](repeating: 0, count: 4096)
        XCTAssertGreaterThan(recv(first.fd, &buffer, buffer.count, 0), 0)
        XCTAssertGreaterThan(recv(second.fd, &buffer, buffer.count, 0), 0)
        let third = try Socket(port: port)
        third.send("GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        XCTAssertEqual(third.readUntilClosed(), "", "the third connection is closed unanswered")
        first.send("GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        XCTAssertGreaterThan(recv(first.fd, &buffer, buffer.count, 0), 0, "the first two stay open and answered")
    }
}
