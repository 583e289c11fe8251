import Foundation
import KMIP
import KMIPClient
import KMIPPKI
import KMIPTransport
import XCTest

final class KMIPClientTests: XCTestCase {
    func testConnectsWithServerHostnameAsDNSNameOrIP() async throws {
        // NIOSSL accepts a DNS SAN equal to serverHostname or an IP SAN equal to the connected address;
        // the server certificate always holds 127.0.0.1, so a wrong-name refusal cannot be shown on loopback.
        let server = try await TestServer.start()
        for name in ["localhost", "127.0.0.1", nil] as [String?] {
            var configuration = server.clientConfiguration()
            configuration.serverHostname = name
            let client = try await KMIPClient.connect(configuration)
            _ = try await client.discoverVersions()
            await client.close()
        }
        await server.listener.shutdown()
    }

    func testUntrustedServerIsRefused() async throws {
        let server = try await TestServer.start()
        var configuration = server.clientConfiguration()
        configuration.trustRootsPEM = [try KMIPCA.generate().rootPEM]
        do {
            let client = try await KMIPClient.connect(configuration)
            await client.close()
            XCTFail("a server chain from another CA must be refused")
        } catch let error as KMIPClientError {
            XCTAssertEqual(error.kind, .connectionFailed)
        }
        XCTAssertEqual(server.processor.calls, 0)
        await server.listener.shutdown()
    }

    func testBatchReturnsEveryItemWithoutThrowing() async throws {
        let server = try await TestServer.start()
        let client = try await server.connect()
        var get = GetRequestPayload()
        get.uniqueIdentifier = "x"
        let items = try await client.batch([
            RequestBatchItem(operation: .discoverVersions, uniqueBatchItemID: ByteString([1]), payload: DiscoverVersionsRequestPayload()),
            RequestBatchItem(operation: .get, uniqueBatchItemID: ByteString([2]), payload: get),
        ])
        XCTAssertEqual(items.count, 2)
        XCTAssertEqual(items.first?.resultStatus, .success)
        XCTAssertEqual(items.last?.resultStatus, .operationFailed)
        XCTAssertEqual(items.last?.resultReason, .operationNotSupported)
        XCTAssertEqual(items.last?.uniqueBatchItemID, ByteString([2]))
        await client.close()
        await server.listener.shutdown()
    }

    func testSendAfterServerClosedFails() async throws {
        let server = try await TestServer.start()
        let client = try await server.connect()
        _ = try await client.discoverVersions()
        await server.listener.shutdown()
        do {
            _ = try await client.send(raw: discoverVersionsRequest())
            XCTFail("the connection is closed")
        } catch let error as KMIPClientError {
            XCTAssertEqual(error.kind, .connectionClosed)
        }
    }

    func testConfigurationFromPEMFiles() throws {
        let pki = TestPKI.shared
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kmip-client-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ca = dir.appendingPathComponent("ca.pem").path
        let cert = dir.appendingPathComponent("cert.pem").path
        let key = dir.appendingPathComponent("key.pem").path
        try pki.ca.caChainPEM.write(toFile: ca, atomically: true, encoding: .utf8)
        try (pki.client.certificatePEM + "\n" + pki.ca.intermediatePEM).write(toFile: cert, atomically: true, encoding: .utf8)
        try pki.client.privateKeyPEM!.write(toFile: key, atomically: true, encoding: .utf8)
        let configuration = try KMIPClientConfiguration.files(host: "h", port: 5696, caFile: ca, certFile: cert, keyFile: key)
        XCTAssertEqual(configuration.trustRootsPEM.count, 2)
        XCTAssertEqual(configuration.certificateChainPEM.count, 2)
        XCTAssertTrue(configuration.certificateChainPEM[0].contains("BEGIN CERTIFICATE"))
        XCTAssertFalse("\(configuration)".contains("PRIVATE KEY"))
        XCTAssertThrowsError(
            try KMIPClientConfiguration.files(host: "h", port: 1, caFile: key, certFile: cert, keyFile: key))
    }
}


