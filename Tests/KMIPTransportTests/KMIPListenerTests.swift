import Foundation
import KMIP
import KMIPClient
import KMIPPKI
import KMIPTransport
import NIOCore
import NIOSSL
import XCTest

final class KMIPListenerTests: XCTestCase {
    // MARK: Exchanges

    func testRequestResponseOverMutualTLS() async throws {
        let server = try await TestServer.start()
        let client = try await server.connect()
        let versions = try await client.discoverVersions()
        XCTAssertEqual(versions, [.v1_4, .v1_3, .v1_2, .v1_1, .v1_0])
        // The processor sees the identity from the client certificate.
        do {
            _ = try await client.get("some-id")
            XCTFail("the stub fails every operation but Discover Versions")
        } catch let error as KMIPError {
            XCTAssertEqual(error.reason, .operationNotSupported)
            XCTAssertTrue(error.message.contains("scope=scop1 role=role1"), error.message)
        }
        XCTAssertEqual(server.processor.calls, 2)
        XCTAssertEqual(server.listener.activeConnections, 1)
        await client.close()
        await server.listener.shutdown()
    }

    func testPipelinedRequestsAreAnsweredInOrder() async throws {
        let server = try await TestServer.start()
        let raw = try await RawClient.connect(port: server.port, credential: server.pki.client)
        try await raw.handshake.get()
        var all: [UInt8] = []
        for i in 0..<20 { all += discoverVersionsRequest(correlation: "req-\(i)") }
        try await raw.send(all)  // one write: 20 requests back to back
        let answered = await waitUntil(.seconds(3)) { raw.received.count == 20 }
        XCTAssertTrue(answered, "got \(raw.received.count) responses")
        let correlations = try raw.received.map { try ResponseMessage(ttlv: $0).responseHeader.clientCorrelationValue }
        XCTAssertEqual(correlations, (0..<20).map { "req-\($0)" })
        await raw.close()
        await server.listener.shutdown()
    }

    func testConcurrentCallersOnOneClientGetTheirOwnResponses() async throws {
        let server = try await TestServer.start(processor: StubProcessor(delay: .milliseconds(2)))
        let client = try await server.connect()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<32 {
                group.addTask {
                    let response = try ResponseMessage(ttlv: try await client.send(raw: discoverVersionsRequest(correlation: "c\(i)")))
                    XCTAssertEqual(response.responseHeader.clientCorrelationValue, "c\(i)")
                }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(server.processor.calls, 32)
        await client.close()
        await server.listener.shutdown()
    }

    func testTLS12ClientIsServedByDefault() async throws {
        let server = try await TestServer.start()
        let raw = try await RawClient.connect(port: server.port, credential: server.pki.client, maximumTLSVersion: .tlsv12)
        try await raw.handshake.get()
        try await raw.send(discoverVersionsRequest(correlation: "tls12"))
        let answered = await waitUntil(.seconds(3)) { raw.received.count == 1 }
        XCTAssertTrue(answered)
        await raw.close()
        await server.listener.shutdown()
    }

    // MARK: Refused clients

    func testTLS12ClientWithoutForwardSecretAEADSuitesIsRefused() async throws {
        let server = try await TestServer.start()
        for suites in ["AES128-SHA:AES256-SHA", "AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-SHA"] {
            let raw = try await RawClient.connect(port: server.port, credential: server.pki.client, maximumTLSVersion: .tlsv12,
                                                  cipherSuites: suites)
            try? await raw.send(discoverVersionsRequest())
            let closed = await raw.waitClosed(within: .seconds(3))
            XCTAssertTrue(closed, suites)
            XCTAssertTrue(raw.received.isEmpty, suites)
        }
        XCTAssertEqual(server.processor.calls, 0)
        await server.listener.shutdown()
    }

    func testClientWithoutCertificateIsRefused() async throws {
        let server = try await TestServer.start()
        for version in [TLSVersion.tlsv12, .tlsv13] {
            let raw = try await RawClient.connect(port: server.port, credential: nil, maximumTLSVersion: version)
            try? await raw.send(discoverVersionsRequest())
            let closed = await raw.waitClosed(within: .seconds(3))
            XCTAssertTrue(closed, "TLS \(version)")
            XCTAssertTrue(raw.received.isEmpty)
        }
        XCTAssertEqual(server.processor.calls, 0)
        await server.listener.shutdown()
    }

    func testClientCertificateFromForeignCAIsRefused() async throws {
        let server = try await TestServer.start()
        let foreign = try KMIPCA.generate()
        let credential = try foreign.issueClientCredential(scopeID: "scop1", roleID: "role1", keySpec: .defaultEC, ttl: 3600)
        var configuration = server.clientConfiguration(credential)
        configuration.certificateChainPEM = [credential.certificatePEM, foreign.intermediatePEM]
        let failed = await exchangeFails(configuration)
        XCTAssertTrue(failed)
        XCTAssertEqual(server.processor.calls, 0)
        await server.listener.shutdown()
    }

    func testExpiredClientCertificateIsRefused() async throws {
        let server = try await TestServer.start()
        let expired = server.pki.newClient(ttl: 60, now: Date(timeIntervalSinceNow: -3600))
        let failed = await exchangeFails(server.clientConfiguration(expired))
        XCTAssertTrue(failed)
        XCTAssertEqual(server.processor.calls, 0)
        await server.listener.shutdown()
    }

    func testRevokedClientIsRefusedAtHandshake() async throws {
        let server = try await TestServer.start()
        let credential = server.pki.newClient()
        await server.revocations.revoke(credential.serialNumber)
        let failed = await exchangeFails(server.clientConfiguration(credential))
        XCTAssertTrue(failed)
        XCTAssertEqual(server.processor.calls, 0)
        // Another credential of the same role still works.
        let client = try await server.connect()
        _ = try await client.discoverVersions()
        await client.close()
        await server.listener.shutdown()
    }

    func testOpenConnectionIsClosedAfterRevocation() async throws {
        let server = try await TestServer.start()  // revalidation every 100 ms
        let credential = server.pki.newClient()
        let revoked = try await server.connect(credential)
        let other = try await server.connect()
        _ = try await revoked.discoverVersions()
        _ = try await other.discoverVersions()
        await server.revocations.revoke(credential.serialNumber)
        let start = ContinuousClock.now
        let closed = await waitUntil(.seconds(2)) { !revoked.isActive }
        XCTAssertTrue(closed)
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(700), "closed within a few revalidation intervals")
        let callsBefore = server.processor.calls
        do {
            _ = try await revoked.discoverVersions()
            XCTFail("a revoked connection must not be served")
        } catch {}
        XCTAssertEqual(server.processor.calls, callsBefore)
        // The other credential's connection stays open and served.
        XCTAssertTrue(other.isActive)
        _ = try await other.discoverVersions()
        await other.close()
        await server.listener.shutdown()
    }

    // MARK: Limits and timeouts

    func testOversizedFrameClosesOnlyThatConnection() async throws {
        let server = try await TestServer.start { $0.limits = Limits(maxMessageBytes: 4096) }
        let good = try await server.connect()
        let bad = try await RawClient.connect(port: server.port, credential: server.pki.client)
        try await bad.handshake.get()
        // Request Message header announcing 1 MiB; no body follows.
        try await bad.send([0x42, 0x00, 0x78, 0x01, 0x00, 0x10, 0x00, 0x00])
        let closed = await bad.waitClosed(within: .seconds(2))
        XCTAssertTrue(closed)
        // One Invalid Message answer, then the close.
        XCTAssertEqual(bad.received.count, 1)
        let answer = try ResponseMessage(ttlv: try XCTUnwrap(bad.received.first))
        XCTAssertEqual(answer.batchItems.first?.resultReason, .invalidMessage)
        _ = try await good.discoverVersions()
        XCTAssertEqual(server.processor.calls, 1)
        await good.close()
        await server.listener.shutdown()
    }

    /// Past the listener's pipelined-bytes budget, a connection with a request in flight is not
    /// read; another connection still gets its one request in, and reading resumes once answered.
    func testThePipelinedBytesBudgetHoldsReadingWhileSpent() async throws {
        let server = try await TestServer.start(processor: StubProcessor(delay: .milliseconds(600))) { $0.maxPipelinedBytes = 1 }
        let a = try await RawClient.connect(port: server.port, credential: server.pki.client)
        try await a.handshake.get()
        // A first exchange, so that the read issued while the handshake was under way is spent.
        try await a.send(discoverVersionsRequest(correlation: "a0"))
        let warm = await waitUntil(.seconds(2)) { a.received.count == 1 }
        XCTAssertTrue(warm)
        let first = discoverVersionsRequest(correlation: "a1"), second = discoverVersionsRequest(correlation: "a2")
        try await a.send(first)
        let started = await waitUntil(.seconds(2)) { server.processor.calls == 2 }
        XCTAssertTrue(started)
        try await a.send(second)
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(server.listener.pipelinedBytes, first.count, "the second request is not read while the budget is spent")
        XCTAssertEqual(server.processor.calls, 2)
        let b = try await server.connect(server.pki.newClient(scopeID: "scop2", roleID: "role2"))
        _ = try await b.discoverVersions()
        let answered = await waitUntil(.seconds(3)) { a.received.count == 3 }
        XCTAssertTrue(answered)
        let correlations = try a.received.map { try ResponseMessage(ttlv: $0).responseHeader.clientCorrelationValue }
        XCTAssertEqual(correlations, ["a0", "a1", "a2"])
        XCTAssertEqual(server.listener.pipelinedBytes, 0)
        await a.close()
        await b.close()
        await server.listener.shutdown()
    }

    /// Held reads bound what a connection takes in only to within one read: a client that sends
    /// more than twice `maxPendingBytes` of unanswered requests at once is closed.
    func testAClientSendingFarPastItsPendingBytesIsClosed() async throws {
        let server = try await TestServer.start(processor: StubProcessor(delay: .milliseconds(300))) {
            $0.limits = Limits(maxMessageBytes: 1024)
            $0.maxPendingBytes = 1024
        }
        let raw = try await RawClient.connect(port: server.port, credential: server.pki.client)
        try await raw.handshake.get()
        try await raw.send((0..<20).flatMap { discoverVersionsRequest(correlation: "flood-\($0)") })  // ~2.4 KB at once
        let closed = await raw.waitClosed(within: .seconds(3))
        XCTAssertTrue(closed)
        XCTAssertLessThan(raw.received.count, 20)
        XCTAssertEqual(server.listener.pipelinedBytes, 0, "nothing stays counted")
        await server.listener.shutdown()
    }

    func testStalledHandshakeIsClosedAfterConnectionTimeout() async throws {
        let server = try await TestServer.start { $0.connectionTimeout = .milliseconds(200) }
        let start = ContinuousClock.now
        let raw = try await RawClient.connect(port: server.port, tls: false)
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertTrue(raw.isActive, "not closed before the timeout")
        let closed = await raw.waitClosed(within: .seconds(2))
        XCTAssertTrue(closed)
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(190))
        await server.listener.shutdown()
    }

    func testIdleConnectionIsClosedAfterIdleTimeout() async throws {
        let server = try await TestServer.start { $0.idleTimeout = .milliseconds(300) }
        let client = try await server.connect()
        // Activity keeps it open past one idle period.
        for _ in 0..<4 {
            _ = try await client.discoverVersions()
            try await Task.sleep(for: .milliseconds(150))
        }
        XCTAssertTrue(client.isActive)
        let start = ContinuousClock.now
        let closed = await waitUntil(.seconds(2)) { !client.isActive }
        XCTAssertTrue(closed)
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(100))
        await server.listener.shutdown()
    }

    func testMaxConnectionsIsEnforced() async throws {
        let server = try await TestServer.start { $0.maxConnections = 2 }
        let first = try await server.connect()
        let second = try await server.connect()
        _ = try await first.discoverVersions()
        _ = try await second.discoverVersions()
        XCTAssertEqual(server.listener.activeConnections, 2)
        let refused = await exchangeFails(server.clientConfiguration())
        XCTAssertTrue(refused)
        // Closed at once, not left open: each refused connection would otherwise hold a descriptor.
        let raw = try await RawClient.connect(port: server.port, tls: false)
        let closed = await raw.waitClosed(within: .seconds(2))
        XCTAssertTrue(closed, "a connection over the limit is closed by the server")
        XCTAssertEqual(server.processor.calls, 2)
        await first.close()
        let freed = await waitUntil(.seconds(2)) { server.listener.activeConnections == 1 }
        XCTAssertTrue(freed)
        let third = try await server.connect()
        _ = try await third.discoverVersions()
        await second.close()
        await third.close()
        await server.listener.shutdown()
    }

    /// One client certificate cannot take every connection: past its own cap it is refused while
    /// another client still connects.
    func testAClientOverItsConnectionCapIsRefusedWhileOthersConnect() async throws {
        let server = try await TestServer.start { $0.maxConnectionsPerClient = 2 }
        let first = try await server.connect()
        let second = try await server.connect()
        _ = try await first.discoverVersions()
        _ = try await second.discoverVersions()
        let refused = await exchangeFails(server.clientConfiguration())
        XCTAssertTrue(refused, "a third connection of the same certificate is closed after its handshake")
        let other = try await server.connect(server.pki.newClient(scopeID: "scop2", roleID: "role2"))
        _ = try await other.discoverVersions()
        XCTAssertEqual(server.processor.calls, 3)
        await first.close()
        let freed = await waitUntil(.seconds(2)) { server.listener.activeConnections == 2 }
        XCTAssertTrue(freed)
        let again = try await server.connect()
        _ = try await again.discoverVersions()
        for client in [second, other, again] { await client.close() }
        await server.listener.shutdown()
    }

    func testTLS13MinimumRefusesTLS12Client() async throws {
        let server = try await TestServer.start { $0.tlsMinimumVersion = .tls13 }
        let old = try await RawClient.connect(port: server.port, credential: server.pki.client, maximumTLSVersion: .tlsv12)
        do {
            try await old.handshake.get()
            XCTFail("a TLS 1.2 handshake must fail")
        } catch {}
        let closed = await old.waitClosed(within: .seconds(2))
        XCTAssertTrue(closed)
        let modern = try await server.connect()
        _ = try await modern.discoverVersions()
        await modern.close()
        await server.listener.shutdown()
    }

    // MARK: Shutdown

    func testGracefulShutdownAnswersInFlightRequest() async throws {
        let server = try await TestServer.start(processor: StubProcessor(delay: .milliseconds(400)))
        let client = try await server.connect()
        let inFlight = Task { try await client.discoverVersions() }
        let started = await waitUntil(.seconds(2)) { server.processor.calls == 1 }
        XCTAssertTrue(started)
        await server.listener.shutdown()
        let versions = try await inFlight.value
        XCTAssertEqual(versions.first, .v1_4)
        XCTAssertEqual(server.processor.finished, 1)
        let closed = await waitUntil(.seconds(1)) { !client.isActive }
        XCTAssertTrue(closed)
        XCTAssertEqual(server.listener.activeConnections, 0)
        let refused = await exchangeFails(server.clientConfiguration())
        XCTAssertTrue(refused, "no new connections after shutdown")
    }

    /// Shutdown answers every request already received (pipelined ones too), then closes.
    func testGracefulShutdownAnswersPipelinedRequestsAlreadyReceived() async throws {
        let server = try await TestServer.start(processor: StubProcessor(delay: .milliseconds(150)))
        let raw = try await RawClient.connect(port: server.port, credential: server.pki.client)
        try await raw.handshake.get()
        try await raw.send((1...3).flatMap { discoverVersionsRequest(correlation: "r\($0)") })
        let started = await waitUntil(.seconds(2)) { server.processor.calls == 1 }
        XCTAssertTrue(started)
        await server.listener.shutdown()
        let correlations = try raw.received.map { try ResponseMessage(ttlv: $0).responseHeader.clientCorrelationValue }
        XCTAssertEqual(correlations, ["r1", "r2", "r3"])
        let closed = await raw.waitClosed(within: .seconds(1))
        XCTAssertTrue(closed)
    }

    func testRunStopsOnShutdown() async throws {
        let server = try await TestServer.start()
        let run = Task { try await server.listener.run() }
        let client = try await server.connect()
        _ = try await client.discoverVersions()
        await server.listener.shutdown()
        try await run.value
        XCTAssertFalse(client.isActive)
    }

    func testListensOnSeveralAddresses() async throws {
        let server = try await TestServer.start { $0.listenAddresses = ["127.0.0.1:0", "[::1]:0"] }
        XCTAssertGreaterThanOrEqual(server.listener.boundAddresses.count, 1)
        XCTAssertEqual(server.listener.boundAddresses.count, 2)
        await server.listener.shutdown()
    }
}
