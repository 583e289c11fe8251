import XCTest
@testable import KMIP

/// The field-list codec: cardinality, order, duplicates, versions, and computed properties.
final class KMIPStructTests: XCTestCase {
    struct Sample: KMIPStruct, Equatable {
        var name = ""
        var count: Int32?
        var items: [String] = []
        var since13: Bool?
        var storedDate = DateTime(secondsSince1970: 0)
        /// A computed property: reached through the key path, not by offset.
        var date: DateTime {
            get { storedDate }
            set { storedDate = newValue }
        }
        init() {}
        static let fields: [Field<Self>] = [
            .required(.nameValue, \.name),
            .optional(.batchCount, \.count),
            .repeated(.attributeName, \.items),
            .optional(.batchOrderOption, \.since13, since: .v1_3),
            .required(.timeStamp, \.date),
        ]
    }

    func sample() -> Sample {
        var s = Sample()
        s.name = "n"
        s.count = 3
        s.items = ["a", "b"]
        s.since13 = true
        s.date = DateTime(secondsSince1970: 42)
        return s
    }

    func testRoundTripAndVersionFilter() throws {
        let s = sample()
        let v14 = s.ttlv(tag: .responsePayload)
        XCTAssertEqual(v14.children.map(\.tag), [.nameValue, .batchCount, .attributeName, .attributeName, .batchOrderOption, .timeStamp])
        XCTAssertEqual(try Sample(ttlv: v14.encoded()), s)
        let v12 = s.ttlv(tag: .responsePayload, context: EncodingContext(version: .v1_2))
        XCTAssertNil(v12[.batchOrderOption])
        XCTAssertEqual(v12[.timeStamp]?.value, .dateTime(DateTime(secondsSince1970: 42)))
    }

    func testOrderIsNotRequiredButPresenceIs() throws {
        let shuffled = TTLV(.responsePayload, .structure([
            TTLV(.timeStamp, .dateTime(DateTime(secondsSince1970: 1))),
            TTLV(.nameValue, .textString("x")),
        ]))
        XCTAssertEqual(try Sample(ttlv: shuffled.encoded()).name, "x")
        let missing = TTLV(.responsePayload, .structure([TTLV(.nameValue, .textString("x"))]))
        XCTAssertThrowsError(try Sample(ttlv: missing.encoded())) { XCTAssertEqual(($0 as? TTLVError)?.kind, .missingField) }
        let twice = TTLV(.responsePayload, .structure([
            TTLV(.nameValue, .textString("x")), TTLV(.nameValue, .textString("y")),
            TTLV(.timeStamp, .dateTime(DateTime(secondsSince1970: 1))),
        ]))
        XCTAssertThrowsError(try Sample(ttlv: twice.encoded())) { XCTAssertEqual(($0 as? TTLVError)?.kind, .duplicateField) }
        let stranger = TTLV(.responsePayload, .structure([TTLV(.nameValue, .textString("x")), TTLV(.state, .enumeration(1))]))
        XCTAssertThrowsError(try Sample(ttlv: stranger.encoded())) {
            XCTAssertEqual(($0 as? TTLVError)?.kind, .unexpectedTag)
            XCTAssertEqual(($0 as? TTLVError)?.tag, .state)
        }
    }
}

final class NotifyTests: XCTestCase {
    func testADeletedAttributeComesWithoutItsValue() throws {
        let payload = TTLV(.requestPayload, .structure([
            TTLV(.uniqueIdentifier, .textString("id-1")),
            TTLV(.attribute, .structure([TTLV(.attributeName, .textString("Contact Information"))])),
            TTLV(.attribute, .structure([
                TTLV(.attributeName, .textString("Last Change Date")),
                TTLV(.attributeValue, .dateTime(DateTime(secondsSince1970: 7))),
            ])),
        ]))
        let p = try NotifyRequestPayload(ttlv: payload.encoded())
        XCTAssertNil(p.attributes[0].attributeValue)
        XCTAssertEqual(p.attributes[1].attributeValue, .dateTime(DateTime(secondsSince1970: 7)))
        XCTAssertEqual(p.ttlv(tag: .requestPayload), payload)
        // Everywhere else an Attribute needs its value.
        XCTAssertThrowsError(try Attribute(ttlv: TTLV(.attribute, .structure([TTLV(.attributeName, .textString("Comment"))])).encoded()))
    }
}

final class ValueTests: XCTestCase {
    func testByteStringEqualityAndRedaction() {
        XCTAssertEqual(ByteString([1, 2, 3]), ByteString([1, 2, 3]))
        XCTAssertNotEqual(ByteString([1, 2, 3]), ByteString([1, 2, 4]))
        XCTAssertNotEqual(ByteString([1, 2, 3]), ByteString([1, 2]))
        XCTAssertEqual(Set([ByteString([9]), ByteString([9])]).count, 1)
        let secret = ByteString([0xDE, 0xAD, 0xBE, 0xEF])
        XCTAssertEqual("\(secret)", "ByteString(4 bytes)")
        XCTAssertFalse("\(KeyMaterial.byteString(secret))".lowercased().contains("deadbeef"))
        XCTAssertFalse(String(reflecting: secret).contains("222"), "the mirror shows no byte (0xDE = 222)")
        var dumped = ""
        dump(TTLV(.keyMaterial, .byteString(secret)), to: &dumped)
        XCTAssertFalse(dumped.contains("222"), dumped)
        let d = BigInteger(unsigned: [0xDE, 0xAD])
        XCTAssertEqual("\(d)", "BigInteger(8 bytes)")
        dumped = ""
        dump(d, to: &dumped)
        XCTAssertFalse(dumped.contains("222"), dumped)
    }

    func testBigIntegerFromMagnitude() {
        XCTAssertEqual(BigInteger(unsigned: [0x80]).bytes, [0, 0, 0, 0, 0, 0, 0, 0x80])
        XCTAssertEqual(BigInteger(unsigned: [0, 0, 1]).bytes, [0, 0, 0, 0, 0, 0, 0, 1])
        XCTAssertEqual(BigInteger(unsigned: [UInt8](repeating: 0xFF, count: 8)).bytes.count, 16, "a sign byte is added")
        XCTAssertEqual(BigInteger(unsigned: [0x80]).unsignedMagnitude, [0x80])
    }
}
