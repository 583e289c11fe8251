import Foundation
import KMIP
import KMIPStore
import Logging
import XCTest
@testable import KMIPEngine

/// CPU-heavy work runs on its own threads, one queue per credential served round robin, each
/// queue capped: one client's key generations cannot stall another's requests.
final class HeavyWorkPoolTests: XCTestCase {
    /// A job that holds the pool's only thread until `release()`.
    final class Gate: @unchecked Sendable {
        let started = DispatchSemaphore(value: 0)
        let opened = DispatchSemaphore(value: 0)
        func hold() { started.signal(); opened.wait() }
        func release() { opened.signal() }
    }

    final class Order: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func add(_ s: String) { lock.withLock { items.append(s) } }
        var all: [String] { lock.withLock { items } }
    }

    func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<2_000 where !condition() { try await Task.sleep(for: .milliseconds(5)) }
        XCTAssertTrue(condition(), "condition not reached")
    }

    func testQueuesAreServedRoundRobinAndCapped() async throws {
        let pool = HeavyWorkPool(threads: 1, maxQueuedPerClient: 3, admissionTimeout: .milliseconds(200))
        let gate = Gate(), order = Order()
        let first = Task { try await pool.run(owner: "a") { gate.hold(); order.add("a1") } }
        gate.started.wait()
        var tasks: [Task<Void, any Error>] = []
        for i in 2...4 {
            tasks.append(Task { try await pool.run(owner: "a") { order.add("a\(i)") } })
            try await waitUntil { pool.queued(owner: "a") == i - 1 }
        }
        // Owner a's queue is full: a fourth job waits for room, and is refused with a clear error
        // when none comes within the admission timeout.
        let clock = ContinuousClock(), asked = clock.now
        do {
            try await pool.run(owner: "a") { order.add("a5") }
            XCTFail("a job over the cap was queued")
        } catch let error as KMIPError {
            XCTAssertEqual(error.reason, .generalFailure)
            XCTAssertTrue(error.message.contains("server busy"), "\(error)")
            XCTAssertGreaterThanOrEqual(clock.now - asked, .milliseconds(200), "refused only after the admission timeout")
        }
        XCTAssertEqual(pool.queued(owner: "a"), 3, "the refused job no longer waits")
        tasks.append(Task { try await pool.run(owner: "b") { order.add("b1") } })
        try await waitUntil { pool.queued(owner: "b") == 1 }
        gate.release()
        try await first.value
        for task in tasks { try await task.value }
        XCTAssertEqual(order.all, ["a1", "b1", "a2", "a3", "a4"], "b waits for one of a's jobs, not all of them")
    }

    /// Work over the cap is not refused while room comes in time: it waits (its connection is not
    /// read meanwhile) and runs in order.
    func testWorkOverTheCapWaitsForRoom() async throws {
        let pool = HeavyWorkPool(threads: 1, maxQueuedPerClient: 1, admissionTimeout: .seconds(30))
        let gate = Gate(), order = Order()
        let first = Task { try await pool.run(owner: "a") { gate.hold(); order.add("a1") } }
        gate.started.wait()
        let second = Task { try await pool.run(owner: "a") { order.add("a2") } }
        try await waitUntil { pool.queued(owner: "a") == 1 }
        let third = Task { try await pool.run(owner: "a") { order.add("a3") } }
        try await waitUntil { pool.queued(owner: "a") == 2 }
        gate.release()
        for task in [first, second, third] { try await task.value }
        XCTAssertEqual(order.all, ["a1", "a2", "a3"])
        XCTAssertEqual(pool.queued(owner: "a"), 0)
    }

    /// With the heavy pool's one thread held by one credential, another credential's Get (cheap
    /// work, no pool) is answered; its Create Key Pair is served in its own turn once the thread frees.
    func testABusyHeavyPoolDoesNotStallAnotherClientsGet() async throws {
        let h = try await EngineHarness.make()
        let pool = HeavyWorkPool(threads: 1)
        let engine = KMIPEngine(objects: h.objects, mount: h.mount, logger: Logger(label: "test"), clock: { h.clock.now }, heavy: pool)
        let key = try await h.createKey()
        let other = try await h.makeClient(scope: "default", role: "other")
        let gate = Gate()
        let hog = Task { try await pool.run(owner: "default-hog") { gate.hold() } }
        gate.started.wait()

        var get = GetRequestPayload(); get.uniqueIdentifier = key
        let request = RequestMessage(header: RequestHeader(protocolVersion: .v1_4, batchCount: 1),
                                     batchItems: [RequestBatchItem(operation: .get, payload: get)])
        let answered = await engine.respond(to: request, client: other)
        XCTAssertEqual(answered.batchItems[0].resultStatus, .success, "Get is answered while the heavy pool is held")

        var pair = CreateKeyPairRequestPayload()
        pair.commonTemplateAttribute = TemplateAttribute([Attribute(CryptographicAlgorithm.ec),
                                                          Attribute(name: "Cryptographic Length", value: .integer(256))])
        let generate = RequestMessage(header: RequestHeader(protocolVersion: .v1_4, batchCount: 1),
                                      batchItems: [RequestBatchItem(operation: .createKeyPair, payload: pair)])
        let generated = Task { await engine.respond(to: generate, client: other) }
        try await waitUntil { pool.queued(owner: "\(other.scopeID)/\(other.serialNumber)") == 1 }
        gate.release()
        try await hog.value
        let response = await generated.value
        XCTAssertEqual(response.batchItems[0].resultStatus, .success, response.batchItems[0].resultMessage ?? "")
    }
}
