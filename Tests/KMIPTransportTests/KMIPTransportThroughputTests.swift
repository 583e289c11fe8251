import Foundation
import KMIP
import KMIPClient
import KMIPTransport
import XCTest

/// Throughput over real mutual TLS with the stub processor. Skipped unless KMIP_BENCH=1; meaningful only
/// in release builds: `KMIP_BENCH=1 swift test -c release --filter KMIPTransportThroughputTests`.
final class KMIPTransportThroughputTests: XCTestCase {
    private func measure(processOnEventLoop: Bool, connections: Int = 16, seconds: Double = 3) async throws -> Double {
        let server = try await TestServer.start { $0.processRequestsOnEventLoop = processOnEventLoop }
        var clients: [KMIPClient] = []
        for _ in 0..<connections { clients.append(try await server.connect()) }
        let request = discoverVersionsRequest()
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for client in clients {
                group.addTask {
                    var n = 0
                    while ContinuousClock.now < deadline {
                        _ = try await client.send(raw: request)
                        n += 1
                    }
                    return n
                }
            }
            return try await group.reduce(0, +)
        }
        for client in clients { await client.close() }
        await server.listener.shutdown()
        return Double(total) / seconds
    }

    func testThroughput() async throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["KMIP_BENCH"] == "1", "set KMIP_BENCH=1 to run")
        let hop = try await self.measure(processOnEventLoop: false)
        let onLoop = try await self.measure(processOnEventLoop: true)
        print("KMIP transport throughput, 16 connections, stub Discover Versions: "
            + "global executor \(Int(hop)) req/s, event-loop executor \(Int(onLoop)) req/s")
        XCTAssertGreaterThan(hop, 0)
        XCTAssertGreaterThan(onLoop, 0)
    }
}
