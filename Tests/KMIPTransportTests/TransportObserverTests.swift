import Foundation
import KMIP
import KMIPClient
import KMIPPKI
import KMIPTransport
import Logging
import NIOConcurrencyHelpers
import XCTest

/// Records the listener's connection and handshake events.
final class RecordingTransportObserver: TransportObserver {
    enum Event: Hashable {
        case opened(UInt64), closed(UInt64), rejected
        case succeeded(UInt64, serial: String)
        case failed(UInt64, TLSHandshakeFailure)
    }

    private let box = NIOLockedValueBox<[Event]>([])
    var events: [Event] { box.withLockedValue { $0 } }

    func connectionOpened(id: UInt64) { box.withLockedValue { $0.append(.opened(id)) } }
    func connectionClosed(id: UInt64) { box.withLockedValue { $0.append(.closed(id)) } }
    func connectionRejected() { box.withLockedValue { $0.append(.rejected) } }
    func handshakeSucceeded(id: UInt64, client: ClientIdentity) {
        box.withLockedValue { $0.append(.succeeded(id, serial: client.serialNumber)) }
    }
    func handshakeFailed(id: UInt64, reason: TLSHandshakeFailure) { box.withLockedValue { $0.append(.failed(id, reason)) } }

    var failures: [TLSHandshakeFailure] { events.compactMap { if case .failed(_, let r) = $0 { r } else { nil } } }
    var opened: Int { events.filter { if case .opened = $0 { true } else { false } }.count }
    var closed: Int { events.filter { if case .closed = $0 { true } else { false } }.count }
}

final class TransportObserverTests: XCTestCase {
    struct ObservedServer {
        let listener: KMIPListener
        let observer: RecordingTransportObserver
        let revocations: RevocationList
        let server: TestServer
    }

    /// `TestServer`'s listener, rebuilt with an observer.
    func start(maxConnections: Int? = nil) async throws -> ObservedServer {
        let pki = TestPKI.shared
        var configuration = TransportConfiguration(
            listenAddresses: ["127.0.0.1:0"],
            serverCertificateChainPEM: [pki.server.certificatePEM] + pki.server.caChain.dropLast(),
            serverPrivateKeyPEM: pki.server.privateKeyPEM,
            clientTrustRootsPEM: pki.ca.caChain)
        configuration.connectionTimeout = .milliseconds(300)
        configuration.shutdownGracePeriod = .seconds(2)
        if let maxConnections { configuration.maxConnections = maxConnections }
        let revocations = RevocationList()
        var logger = Logger(label: "test.kmip.transport")
        logger.logLevel = .critical
        let observer = RecordingTransportObserver()
        let processor = StubProcessor()
        let listener = KMIPListener(
            configuration: configuration, processor: processor,
            authenticator: TestAuthenticator(ca: pki.ca, revocations: revocations), logger: logger, observer: observer)
        let addresses = try await listener.start()
        let port = try XCTUnwrap(addresses.first?.port)
        return ObservedServer(listener: listener, observer: observer, revocations: revocations,
                              server: TestServer(listener: listener, processor: processor, revocations: revocations,
                                                 port: port, pki: pki))
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
        let events = observer.events
        guard case .opened(let id)? = events.first else { return XCTFail("\(events)") }
        XCTAssertEqual(events, [.opened(id), .succeeded(id, serial: s.server.pki.client.serialNumber), .closed(id)])
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
        XCTAssertFalse(observer.events.contains { if case .succeeded = $0 { true } else { false } })
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
        let rejected = await eventually { observer.events.contains(.rejected) }
        XCTAssertTrue(rejected)
        XCTAssertEqual(observer.opened, 1, "a refused connection is never counted open")
        await first.close()
        await s.listener.shutdown()
        let balanced = await eventually { observer.closed == observer.opened }
        XCTAssertTrue(balanced)
    }
}
