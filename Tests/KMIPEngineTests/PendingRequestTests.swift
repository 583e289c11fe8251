import KMIP
import KMIPPKI
import XCTest
@testable import KMIPEngine

/// Asynchronous requests: Operation Pending, Poll and Cancel (KMIP 1.4 §6.7, §4.27, §4.28), and
/// who may poll or cancel what.
final class PendingRequestTests: XCTestCase {
    func sendAsync(_ h: EngineHarness, _ items: [RequestBatchItem], as client: ClientIdentity? = nil) async -> [ResponseBatchItem] {
        var header = RequestHeader(protocolVersion: .v1_2, batchCount: Int32(items.count))
        header.asynchronousIndicator = true
        let response = await h.engine.respond(to: RequestMessage(header: header, batchItems: items), client: client ?? h.client)
        return try! ResponseMessage(ttlv: response.encoded()).batchItems
    }

    func locateByName(_ name: String) -> LocateRequestPayload {
        var p = LocateRequestPayload(); p.attributes = [Attribute(Name(name))]; return p
    }

    func createRequest(_ name: String) -> CreateRequestPayload {
        var p = CreateRequestPayload()
        p.objectType = .symmetricKey
        p.templateAttribute = TemplateAttribute([Attribute(CryptographicAlgorithm.aes),
                                                 Attribute(name: "Cryptographic Length", value: .integer(128)), Attribute(Name(name))])
        return p
    }

    func poll(_ correlation: ByteString?) -> PollRequestPayload {
        var p = PollRequestPayload(); p.asynchronousCorrelationValue = correlation ?? ByteString([]); return p
    }

    func cancel(_ correlation: ByteString?) -> CancelRequestPayload {
        var p = CancelRequestPayload(); p.asynchronousCorrelationValue = correlation ?? ByteString([]); return p
    }

    func pending(_ h: EngineHarness, _ operation: KMIP.Operation, _ payload: some KMIPStruct, as client: ClientIdentity? = nil,
                 file: StaticString = #filePath, line: UInt = #line) async throws -> ByteString {
        let item = await sendAsync(h, [RequestBatchItem(operation: operation, payload: payload)], as: client)[0]
        XCTAssertEqual(item.resultStatus, .operationPending, item.resultMessage ?? "", file: file, line: line)
        XCTAssertEqual(item.operation, operation, file: file, line: line)
        return try XCTUnwrap(item.asynchronousCorrelationValue, file: file, line: line)
    }

    func testAnAsynchronousLocateIsPolledOnce() async throws {
        let h = try await EngineHarness.make()
        let key = try await h.createKey(names: ["async-key"])
        let correlation = try await pending(h, .locate, locateByName("async-key"))
        XCTAssertEqual(correlation.count, PendingRequests.correlationBytes)
        let polled = await h.one(.poll, poll(correlation), version: .v1_2)
        XCTAssertEqual(polled.operation, .locate, "Poll answers with the polled operation's item")
        XCTAssertEqual(polled.resultStatus, .success)
        XCTAssertEqual((polled.responsePayload as? LocateResponsePayload)?.uniqueIdentifiers, [key])
        await h.fail(.poll, poll(correlation), .itemNotFound, version: .v1_2)

        // A polled request that fails answers with its own failure.
        var get = GetRequestPayload(); get.uniqueIdentifier = "no-such-object"
        let failing = try await pending(h, .get, get)
        let failed = await h.one(.poll, poll(failing), version: .v1_2)
        XCTAssertEqual(failed.operation, .get)
        XCTAssertEqual(failed.resultStatus, .operationFailed)
        XCTAssertEqual(failed.resultReason, .itemNotFound)
    }

    func testCancelWithdrawsARequestThatHasNotStarted() async throws {
        let h = try await EngineHarness.make()
        let correlation = try await pending(h, .create, createRequest("never-made"))
        let canceled = try await h.succeed(.cancel, cancel(correlation), CancelResponsePayload.self, version: .v1_2)
        XCTAssertEqual(canceled.cancellationResult, .canceled)
        XCTAssertEqual(canceled.asynchronousCorrelationValue, correlation)
        await h.fail(.poll, poll(correlation), .itemNotFound, version: .v1_2)
        let found = try await h.succeed(.locate, locateByName("never-made"), LocateResponsePayload.self)
        XCTAssertEqual(found.uniqueIdentifiers, [], "the canceled Create made nothing")
    }

    func testAnUnpolledRequestStartsOnItsOwnAndCancelThenSaysCompleted() async throws {
        let h = try await EngineHarness.make()
        let correlation = try await pending(h, .create, createRequest("made-later"))
        var made: [String] = []
        for _ in 0..<100 where made.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            made = try await h.succeed(.locate, locateByName("made-later"), LocateResponsePayload.self).uniqueIdentifiers
        }
        XCTAssertEqual(made.count, 1, "the Create ran without a Poll")
        var result: CancellationResult?
        for _ in 0..<50 {
            result = try await h.succeed(.cancel, cancel(correlation), CancelResponsePayload.self, version: .v1_2).cancellationResult
            if result != .unableToCancel { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertEqual(result, .completed)
    }

    /// A request that starts on its own is authorised again first: a credential revoked meanwhile
    /// makes nothing.
    func testARevokedCredentialsWaitingRequestDoesNotRun() async throws {
        let h = try await EngineHarness.make()
        let doomed = try await h.makeClient(scope: "default", role: "doomed")
        let correlation = try await pending(h, .create, createRequest("after-revocation"), as: doomed)
        try await h.mount.deleteCredential(serialNumber: doomed.serialNumber)
        h.engine.invalidateAuthorizations()
        var outcome: ResponseBatchItem?
        for _ in 0..<100 where outcome == nil {
            try await Task.sleep(for: .milliseconds(100))
            if case .done(let item)? = h.engine.pending.phase(correlation) { outcome = item }
        }
        XCTAssertEqual(outcome?.resultStatus, .operationFailed)
        let found = try await h.succeed(.locate, locateByName("after-revocation"), LocateResponsePayload.self)
        XCTAssertEqual(found.uniqueIdentifiers, [], "the revoked credential's Create made nothing")
    }

    func testOnlyTheRequestingClientPollsOrCancelsAndRolesStillApply() async throws {
        let h = try await EngineHarness.make()
        try await h.createKey(names: ["mine"])
        let correlation = try await pending(h, .locate, locateByName("mine"))
        let neighbour = try await h.makeClient(scope: "default", role: "neighbour")
        await h.fail(.poll, poll(correlation), .itemNotFound, version: .v1_2, as: neighbour)
        await h.fail(.cancel, cancel(correlation), .itemNotFound, version: .v1_2, as: neighbour)
        let stranger = try await h.makeClient(scope: "elsewhere")
        await h.fail(.poll, poll(correlation), .itemNotFound, version: .v1_2, as: stranger)
        let owned = await h.one(.poll, poll(correlation), version: .v1_2)
        XCTAssertEqual(owned.resultStatus, .success, "the owner still can")

        // A role without Create is refused at once, not told Pending; a role with only Locate polls.
        let reader = try await h.makeClient(scope: "default", role: "reader", all: false, operations: [.locate])
        let refused = await sendAsync(h, [RequestBatchItem(operation: .create, payload: createRequest("nope"))], as: reader)[0]
        XCTAssertEqual(refused.resultStatus, .operationFailed)
        XCTAssertEqual(refused.resultReason, .permissionDenied)
        let readerRequest = try await pending(h, .locate, locateByName("mine"), as: reader)
        let readerPoll = await h.one(.poll, poll(readerRequest), version: .v1_2, as: reader)
        XCTAssertEqual(readerPoll.resultStatus, .success)
    }

    func testWhatIsAnsweredAtOnce() async throws {
        let h = try await EngineHarness.make()
        // Several items: answered at once (an ID Placeholder may chain them).
        let batch = await sendAsync(h, [
            RequestBatchItem(operation: .create, uniqueBatchItemID: ByteString([1]), payload: createRequest("batched")),
            RequestBatchItem(operation: .locate, uniqueBatchItemID: ByteString([2]), payload: locateByName("batched")),
        ])
        XCTAssertEqual(batch.map(\.resultStatus), [.success, .success])
        // Query is answered at once.
        var query = QueryRequestPayload(); query.queryFunctions = [.queryOperations]
        let queried = await sendAsync(h, [RequestBatchItem(operation: .query, payload: query)])[0]
        XCTAssertEqual(queried.resultStatus, .success)
        let operations = (queried.responsePayload as? QueryResponsePayload)?.operations ?? []
        XCTAssertTrue(operations.contains(.poll) && operations.contains(.cancel))
        // Past the per-client cap, requests are answered at once.
        for i in 0..<PendingRequests.maxPerClient { _ = try await pending(h, .locate, locateByName("cap-\(i)")) }
        let over = await sendAsync(h, [RequestBatchItem(operation: .locate, payload: locateByName("cap"))])[0]
        XCTAssertEqual(over.resultStatus, .success)
        XCTAssertNil(over.asynchronousCorrelationValue)
    }
}
