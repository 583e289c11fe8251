import KMIP
import KMIPPKI
import XCTest
@testable import KMIPEngine

/// Streaming state belongs to the connection that opened it, and goes with it.
final class StreamOwnershipTests: XCTestCase {
    private func encrypt(_ h: EngineHarness, _ payload: EncryptRequestPayload, connection: UInt64) async -> ResponseBatchItem {
        let request = RequestMessage(header: RequestHeader(protocolVersion: .v1_4, batchCount: 1),
                                     batchItems: [RequestBatchItem(operation: .encrypt, payload: payload)])
        let response = await h.engine.respond(to: request, client: h.client, connection: connection)
        return response.batchItems[0]
    }

    func testAStreamContinuesOnlyOnItsConnectionAndClosesWithIt() async throws {
        let h = try await EngineHarness.make()
        let key = try await h.createKey(attributes: [Attribute(name: "Activation Date", value: .dateTime(DateTime(secondsSince1970: 1)))])
        var open = EncryptRequestPayload()
        open.uniqueIdentifier = key
        var parameters = CryptographicParameters()
        parameters.blockCipherMode = .cbc
        parameters.paddingMethod = KMIP.PaddingMethod.none
        open.cryptographicParameters = parameters
        open.ivCounterNonce = ByteString(Array(repeating: 0, count: 16))
        open.data = ByteString(Array(repeating: 1, count: 16))
        open.initIndicator = true
        let opened = await encrypt(h, open, connection: 7)
        XCTAssertEqual(opened.resultStatus, .success, opened.resultMessage ?? "")
        let correlation = try XCTUnwrap((opened.responsePayload as? EncryptResponsePayload)?.correlationValue)
        XCTAssertEqual(h.engine.streams.count, 1)

        var next = EncryptRequestPayload()
        next.correlationValue = correlation
        next.data = ByteString(Array(repeating: 2, count: 16))
        let elsewhere = await encrypt(h, next, connection: 8)
        XCTAssertEqual(elsewhere.resultReason, .itemNotFound, "another connection of the same client cannot continue it")

        let same = await encrypt(h, next, connection: 7)
        XCTAssertEqual(same.resultStatus, .success, same.resultMessage ?? "")

        h.engine.connectionClosed(8)
        XCTAssertEqual(h.engine.streams.count, 1, "closing another connection leaves the stream")
        h.engine.connectionClosed(7)
        XCTAssertEqual(h.engine.streams.count, 0, "the stream goes with its connection")
        let gone = await encrypt(h, next, connection: 7)
        XCTAssertEqual(gone.resultReason, .itemNotFound)
    }
}
