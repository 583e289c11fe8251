import Foundation
import KMIP
import KMIPPKI
import KMIPStore
import Logging
import NIOCore
import XCTest
@testable import KMIPEngine

/// Records what the engine reports; can refuse before or after an item, like a fail-closed audit device.
final class RecordingObserver: KMIPRequestObserver, @unchecked Sendable {
    struct Refused: Error {}
    private let lock = NSLock()
    private var _before: [KMIPRequestEvent] = []
    private var _after: [KMIPRequestEvent] = []
    let failBefore: Bool
    let failAfter: Bool

    init(failBefore: Bool = false, failAfter: Bool = false) { self.failBefore = failBefore; self.failAfter = failAfter }

    var before: [KMIPRequestEvent] { lock.withLock { _before } }
    var after: [KMIPRequestEvent] { lock.withLock { _after } }

    func willExecute(_ event: KMIPRequestEvent) async throws {
        lock.withLock { _before.append(event) }
        if failBefore { throw Refused() }
    }

    func didExecute(_ event: KMIPRequestEvent) async throws {
        lock.withLock { _after.append(event) }
        if failAfter { throw Refused() }
    }
}

final class ObserverTests: XCTestCase {
    func engine(_ harness: EngineHarness, _ observer: RecordingObserver) -> KMIPEngine {
        KMIPEngine(objects: harness.objects, mount: harness.mount, logger: Logger(label: "test"), observer: observer)
    }

    func createPayload() -> CreateRequestPayload {
        var p = CreateRequestPayload()
        p.objectType = .symmetricKey
        p.templateAttribute = TemplateAttribute([
            Attribute(CryptographicAlgorithm.aes),
            Attribute(name: "Cryptographic Length", value: .integer(256)),
            Attribute(CryptographicUsageMask([.encrypt, .decrypt])),
        ])
        return p
    }

    func getPayload(_ uid: String) -> GetRequestPayload {
        var p = GetRequestPayload()
        p.uniqueIdentifier = uid
        return p
    }

    func request(_ items: [RequestBatchItem]) -> RequestMessage {
        var items = items
        if items.count > 1 { for i in items.indices { items[i].uniqueBatchItemID = ByteString([UInt8(i + 1)]) } }
        return RequestMessage(header: RequestHeader(protocolVersion: .v1_4, batchCount: Int32(items.count)), batchItems: items)
    }

    func countObjects(_ harness: EngineHarness) async -> Int {
        let item = await harness.one(.locate, LocateRequestPayload([]))
        return (item.responsePayload as? LocateResponsePayload)?.uniqueIdentifiers.count ?? -1
    }

    func testObserverSeesEachBatchItemWithOperationIdentifiersAndResult() async throws {
        let harness = try await EngineHarness.make()
        let observer = RecordingObserver()
        let engine = engine(harness, observer)
        let missing = "NoSuchObject0000000000000000000"
        let response = await engine.respond(to: request([
            RequestBatchItem(operation: .create, payload: createPayload()),
            RequestBatchItem(operation: .getAttributes, payload: GetAttributesRequestPayload(nil)),
            RequestBatchItem(operation: .get, payload: getPayload(missing)),
        ]), client: harness.client, connection: 7)
        let uid = try XCTUnwrap((response.batchItems[0].responsePayload as? CreateResponsePayload)?.uniqueIdentifier)

        XCTAssertEqual(observer.before.map(\.operation), [.create, .getAttributes, .get])
        XCTAssertEqual(observer.after.map(\.operation), [.create, .getAttributes, .get])
        XCTAssertEqual(observer.before.map(\.uniqueIdentifiers), [[], [uid], [missing]], "the ID Placeholder counts")
        XCTAssertEqual(observer.after.map(\.uniqueIdentifiers), [[uid], [uid], [missing]])
        XCTAssertEqual(observer.after.map(\.resultStatus), [.success, .success, .operationFailed])
        XCTAssertEqual(observer.after[2].resultReason, .itemNotFound)
        XCTAssertEqual(observer.after.map(\.batchIndex), [0, 1, 2])
        for event in observer.before { XCTAssertNil(event.resultStatus); XCTAssertNil(event.duration) }
        for event in observer.before + observer.after {
            XCTAssertEqual(event.clientSerial, harness.client.serialNumber)
            XCTAssertEqual(event.scopeID, harness.client.scopeID)
            XCTAssertEqual(event.roleID, harness.client.roleID)
            XCTAssertEqual(event.roleName, "admin")
            XCTAssertEqual(event.protocolVersion, .v1_4)
            XCTAssertEqual(event.connection, 7)
        }
        for event in observer.after { XCTAssertNotNil(event.duration) }
    }

    func testKeyPairAndLocateReportTheirIdentifiers() async throws {
        let harness = try await EngineHarness.make()
        let uid = try await harness.registerSecret(names: ["observed"])
        let observer = RecordingObserver()
        let item = await engine(harness, observer).respond(to: request([
            RequestBatchItem(operation: .locate, payload: LocateRequestPayload([Attribute(Name("observed"))])),
        ]), client: harness.client).batchItems[0]
        XCTAssertEqual(item.resultStatus, .success)
        XCTAssertEqual(observer.after.first?.uniqueIdentifiers, [uid])
        XCTAssertNil(observer.after.first?.connection, "connection 0 means none in particular")
    }

    func testThrowingObserverRefusesTheItemWithGeneralFailureAndCreatesNothing() async throws {
        let harness = try await EngineHarness.make()
        let observer = RecordingObserver(failBefore: true)
        let response = await engine(harness, observer).respond(to: request([
            RequestBatchItem(operation: .create, payload: createPayload()),
            RequestBatchItem(operation: .create, payload: createPayload()),
        ]), client: harness.client)
        // The first item is refused and the default continuation option (Stop) ends the batch.
        XCTAssertEqual(response.batchItems.count, 1)
        XCTAssertEqual(response.batchItems[0].resultStatus, .operationFailed)
        XCTAssertEqual(response.batchItems[0].resultReason, .generalFailure)
        XCTAssertTrue(response.batchItems[0].resultMessage?.contains("audit log unavailable") == true,
                      response.batchItems[0].resultMessage ?? "")
        XCTAssertNil(response.batchItems[0].responsePayload)
        let created = await countObjects(harness)
        XCTAssertEqual(created, 0)
        // The refusal itself is still reported (metrics, fail-open devices).
        XCTAssertEqual(observer.after.map(\.resultReason), [.generalFailure])
    }

    func testFailureToAuditTheOutcomeWithholdsThePayload() async throws {
        let harness = try await EngineHarness.make()
        let uid = try await harness.registerSecret()
        let observer = RecordingObserver(failAfter: true)
        let item = await engine(harness, observer).respond(to: request([
            RequestBatchItem(operation: .get, payload: getPayload(uid)),
        ]), client: harness.client).batchItems[0]
        XCTAssertEqual(item.resultReason, .generalFailure)
        XCTAssertNil(item.responsePayload, "no key material may leave unaudited")
        XCTAssertEqual(observer.after.first?.resultStatus, .success, "the observer saw the real outcome")
    }

    func testRefusedClientsAreReportedWithoutExecution() async throws {
        let harness = try await EngineHarness.make()
        let observer = RecordingObserver()
        let stranger = ClientIdentity(scopeID: harness.client.scopeID, roleID: harness.client.roleID, serialNumber: "12345")
        let item = await engine(harness, observer).respond(to: request([
            RequestBatchItem(operation: .create, payload: createPayload()),
        ]), client: stranger).batchItems[0]
        XCTAssertEqual(item.resultReason, .permissionDenied)
        XCTAssertTrue(observer.before.isEmpty, "nothing ran, so nothing asked first")
        XCTAssertEqual(observer.after.count, 1)
        XCTAssertEqual(observer.after.first?.operation, .create)
        XCTAssertEqual(observer.after.first?.resultReason, .permissionDenied)
        XCTAssertEqual(observer.after.first?.clientSerial, "12345")
        XCTAssertNil(observer.after.first?.roleName)
    }

    func testUndoneItemsAreReportedAgainAsUndone() async throws {
        let harness = try await EngineHarness.make()
        let observer = RecordingObserver()
        var message = request([
            RequestBatchItem(operation: .create, payload: createPayload()),
            RequestBatchItem(operation: .get, payload: getPayload("NoSuchObject")),
        ])
        message.requestHeader.batchErrorContinuationOption = .undo
        let response = await engine(harness, observer).respond(to: message, client: harness.client)
        XCTAssertEqual(response.batchItems.map(\.resultStatus), [.operationUndone, .operationFailed])
        XCTAssertEqual(observer.after.map(\.resultStatus), [.success, .operationFailed, .operationUndone])
        XCTAssertEqual(observer.after.last?.operation, .create)
        XCTAssertEqual(observer.after.last?.batchIndex, 0)
        let remaining = await countObjects(harness)
        XCTAssertEqual(remaining, 0)
    }

    func testUndecodableMessageIsReported() async throws {
        let harness = try await EngineHarness.make()
        let observer = RecordingObserver()
        _ = await engine(harness, observer).process(message: ByteBuffer(bytes: [0x42, 0x00, 0x78, 0x01, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8] as [UInt8]),
                                                    client: harness.client, connection: 3)
        XCTAssertEqual(observer.after.count, 1)
        XCTAssertEqual(observer.after.first?.resultStatus, .operationFailed)
        XCTAssertEqual(observer.after.first?.connection, 3)
    }
}
