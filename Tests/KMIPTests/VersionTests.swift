import XCTest
@testable import KMIP

/// A message holds only the fields its version defines.
final class VersionTests: XCTestCase {
    func header(_ v: ProtocolVersion) -> ResponseHeader {
        var h = ResponseHeader(protocolVersion: v, timeStamp: DateTime(secondsSince1970: 1), batchCount: 1)
        h.clientCorrelationValue = "client"
        h.serverCorrelationValue = "server"
        h.attestationTypes = [.tpmQuote]
        return h
    }

    func testServerCorrelationValueOnlyFromOneFour() throws {
        let v14 = header(.v1_4).ttlv(tag: .responseHeader, context: EncodingContext(version: .v1_4))
        XCTAssertNotNil(v14[.serverCorrelationValue])
        XCTAssertNotNil(v14[.clientCorrelationValue])
        let v13 = header(.v1_3).ttlv(tag: .responseHeader, context: EncodingContext(version: .v1_3))
        XCTAssertNil(v13[.serverCorrelationValue])
        XCTAssertNil(v13[.clientCorrelationValue])
        XCTAssertNotNil(v13[.attestationType])
        let v11 = header(.v1_1).ttlv(tag: .responseHeader, context: EncodingContext(version: .v1_1))
        XCTAssertNil(v11[.attestationType], "Attestation Type is 1.2")
        XCTAssertEqual(v11.children.map(\.tag), [.protocolVersion, .timeStamp, .batchCount])
    }

    func testMessageEncodesInItsHeadersVersion() throws {
        var m = ResponseMessage(header: header(.v1_2), batchItems: [])
        var bytes = m.encoded()
        XCTAssertNil(try TTLV(decoding: bytes)[.responseHeader]?[.serverCorrelationValue])
        m.responseHeader.protocolVersion = .v1_4
        bytes = m.encoded()
        XCTAssertEqual(try TTLV(decoding: bytes)[.responseHeader]?[.serverCorrelationValue]?.value, .textString("server"))
        // And it decodes back in full.
        XCTAssertEqual(try ResponseMessage(ttlv: bytes).responseHeader, m.responseHeader)
    }

    func testOperationsNewerThanTheMessageKeepTheirFields() {
        // A 1.0 client may still ask Discover Versions (1.1); the answer must not come back empty.
        var payload = DiscoverVersionsResponsePayload()
        payload.protocolVersions = [.v1_0]
        let tree = payload.ttlv(tag: .responsePayload, context: EncodingContext(version: .v1_0))
        XCTAssertEqual(tree.children.count, 1)
    }

    func testDiscoverVersions() {
        XCTAssertEqual(ProtocolVersion.discoverVersions(clientVersions: []), [.v1_4, .v1_3, .v1_2, .v1_1, .v1_0])
        XCTAssertEqual(ProtocolVersion.discoverVersions(clientVersions: [.v1_0, .v2_0, .v1_2]), [.v1_2, .v1_0])
        XCTAssertEqual(ProtocolVersion.discoverVersions(clientVersions: [.v2_1]), [])
    }
}
