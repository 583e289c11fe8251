import Foundation
import KMIP
import KMIPClient
import KMIPPKI
import KMIPTransport
import Logging
import NIOConcurrencyHelpers
import MetricsTestKit
import XCTest

/// The listener's metrics as a test factory saw them.
struct RecordedTransportMetrics: Sendable {
    let metrics: TestMetrics

    /// Every value `kmip_connections_active` took, in order.
    var activeHistory: [Double] { (try? metrics.expectMeter("kmip_connections_active").values) ?? [] }
    /// Connections counted open: the steps up of the gauge.
    var opened: Int { zip([0] + activeHistory, activeHistory).filter { $1 > $0 }.count }
    var closed: Int { zip([0] + activeHistory, activeHistory).filter { $1 < $0 }.count }
    var rejected: Int64 { metrics.counterTotal(label: "kmip_connections_rejected_total") }
    var succeeded: Int64 { metrics.counterTotal(label: "kmip_tls_handshakes_total", dimensions: [("result", "success")]) }
    /// Each failure reason counted, as often as counted.
    var failures: [TLSHandshakeFailure] {
        TLSHandshakeFailure.allCases.flatMap { reason in
            Array(repeating: reason, count: Int(metrics.counterTotal(label: "kmip_tls_handshakes_total",
                                                                     dimensions: [("result", reason.rawValue)])))
        }
    }
}

final class TransportMetricsTests: XCTestCase {
    struct ObservedServer {
        let listener: KMIPListener
        let observer: RecordedTransportMetrics
        let revocations: RevocationList
        let server: TestServer
    }

    /// `TestServer`'s listener, rebuilt with a test metrics factory.
    func start(maxConnections: Int? = nil) async throws -> ObservedServer {
        let metrics = TestMetrics()
        let server = try await TestServer.start(metrics: metrics) {
            $0.connectionTimeout = .milliseconds(300)
            $0.shutdownGracePeriod = .seconds(2)
            if let maxConnections { $0.maxConnections = maxConnections }
        }
        return ObservedServer(listener: server.listener, observer: RecordedTransportMetrics(metrics: metrics),
                              revocations: server.revocations, server: server)
    }

    func eventually(_ condition: @escaping @Sendable () -> Bool) async -> Bool {
        await waitUntil(.seconds(3), condition)
    }

    func testAuthenticatedConnectionIsOpenedHandshakenAndClosed() async throws {
        let s = try await start()
        let client = try await s.server.connect()
        _ = try await client.discoverVersions()
        await client.close()
        let observer = s.observer
        let closed = await eventually { observer.closed == 1 }
        XCTAssertTrue(closed)
        XCTAssertEqual(observer.activeHistory, [1, 0])
        XCTAssertEqual(observer.succeeded, 1)
        XCTAssertEqual(observer.failures, [])
        await s.listener.shutdown()
    }

    func testRevokedCertificateIsReportedAsRejected() async throws {
        let s = try await start()
        let credential = s.server.pki.newClient()
        await s.revocations.revoke(credential.serialNumber)
        let failed = await exchangeFails(s.server.clientConfiguration(credential))
        XCTAssertTrue(failed)
        let observer = s.observer
        let closed = await eventually { observer.closed == 1 }
        XCTAssertTrue(closed)
        XCTAssertEqual(observer.failures, [.certificateRejected], "one failure, the first reason")
        XCTAssertEqual(observer.succeeded, 0)
        await s.listener.shutdown()
    }

    func testStalledHandshakeIsReportedAsTimeout() async throws {
        let s = try await start()
        let raw = try await RawClient.connect(port: s.server.port, tls: false)
        let closed = await raw.waitClosed(within: .seconds(2))
        XCTAssertTrue(closed)
        let observer = s.observer
        let reported = await eventually { observer.closed == 1 }
        XCTAssertTrue(reported)
        XCTAssertEqual(observer.failures, [.timeout])
        await s.listener.shutdown()
    }

    func testClientWithoutCertificateIsReportedAsAFailure() async throws {
        let s = try await start()
        let raw = try await RawClient.connect(port: s.server.port, credential: nil)
        try? await raw.send(discoverVersionsRequest())
        _ = await raw.waitClosed(within: .seconds(3))
        let observer = s.observer
        let reported = await eventually { observer.closed == 1 }
        XCTAssertTrue(reported)
        XCTAssertEqual(observer.failures.count, 1)
        XCTAssertTrue([.noCertificate, .tlsError].contains(observer.failures.first), "\(observer.failures)")
        await s.listener.shutdown()
    }

    func testConnectionOverTheLimitIsReportedAsRejected() async throws {
        let s = try await start(maxConnections: 1)
        let first = try await s.server.connect()
        _ = try await first.discoverVersions()
        _ = await exchangeFails(s.server.clientConfiguration())
        let observer = s.observer
        let rejected = await eventually { observer.rejected == 1 }
        XCTAssertTrue(rejected)
        XCTAssertEqual(observer.opened, 1, "a refused connection is never counted open")
        await first.close()
        await s.listener.shutdown()
        let balanced = await eventually { observer.closed == observer.opened }
        XCTAssertTrue(balanced)
    }
}
