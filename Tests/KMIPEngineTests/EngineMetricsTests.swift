import KMIP
import MetricsTestKit
import XCTest
@testable import KMIPEngine

/// `kmip_requests_total{operation,result}` and `kmip_request_duration_seconds{operation}`, recorded
/// by the engine for every batch item, with label values from fixed sets.
final class EngineMetricsTests: XCTestCase {
    func count(_ metrics: TestMetrics, _ operation: String, _ result: String) -> Int64 {
        metrics.counterTotal(label: "kmip_requests_total", dimensions: [("operation", operation), ("result", result)])
    }

    func testEveryItemIsCountedAndTimedByOperationAndResult() async throws {
        let metrics = TestMetrics()
        let h = try await EngineHarness.make(metrics: metrics)
        let key = try await h.createKey()
        for _ in 0..<3 {
            var get = GetRequestPayload(); get.uniqueIdentifier = key
            _ = try await h.succeed(.get, get, GetResponsePayload.self)
        }
        var missing = GetRequestPayload(); missing.uniqueIdentifier = "no-such-key"
        await h.fail(.get, missing, .itemNotFound)
        XCTAssertEqual(count(metrics, "Create", "success"), 1)
        XCTAssertEqual(count(metrics, "Get", "success"), 3)
        XCTAssertEqual(count(metrics, "Get", "ItemNotFound"), 1)
        XCTAssertEqual(try metrics.expectTimer("kmip_request_duration_seconds", [("operation", "Get")]).values.count, 4)
        XCTAssertEqual(metrics.counters(label: "kmip_requests_total").count, 3)
        for counter in metrics.counters(label: "kmip_requests_total") {
            XCTAssertFalse(counter.dimensions.contains { $0.1.contains(key) }, "identifiers never become labels")
        }
    }

    func testUndoneItemsAreCountedAgainAsUndone() async throws {
        let metrics = TestMetrics()
        let h = try await EngineHarness.make(metrics: metrics)
        var create = CreateRequestPayload()
        create.templateAttribute = TemplateAttribute([Attribute(CryptographicAlgorithm.aes),
                                                      Attribute(name: AttributeName.cryptographicLength, value: .integer(128))])
        var destroy = DestroyRequestPayload(); destroy.uniqueIdentifier = "no-such-object"
        var header = RequestHeader(protocolVersion: .v1_4, batchCount: 2)
        header.batchErrorContinuationOption = .undo
        let request = RequestMessage(header: header, batchItems: [
            RequestBatchItem(operation: .create, uniqueBatchItemID: ByteString([1]), payload: create),
            RequestBatchItem(operation: .destroy, uniqueBatchItemID: ByteString([2]), payload: destroy),
        ])
        let response = await h.engine.respond(to: request, client: h.client)
        XCTAssertEqual(response.batchItems.map(\.resultStatus), [.operationUndone, .operationFailed])
        XCTAssertEqual(count(metrics, "Create", "success"), 1)
        XCTAssertEqual(count(metrics, "Create", "undone"), 1)
        XCTAssertEqual(count(metrics, "Destroy", "ItemNotFound"), 1)
    }

    func testLabelsComeFromFixedSets() {
        XCTAssertEqual(EngineMetrics.label(.createKeyPair), "CreateKeyPair")
        XCTAssertEqual(EngineMetrics.label(KMIP.Operation(rawValue: 0x8000_1234)), "unknown", "extensions share one label")
        XCTAssertEqual(EngineMetrics.label(nil), "unknown")
        XCTAssertEqual(EngineMetrics.result(.operationFailed, .permissionDenied), "PermissionDenied")
        XCTAssertEqual(EngineMetrics.result(.operationFailed, ResultReason(rawValue: 0x7777)), "unknown")
        XCTAssertEqual(EngineMetrics.result(.operationPending, nil), "pending")
    }
}
