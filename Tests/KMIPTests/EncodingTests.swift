import XCTest
@testable import KMIP
import KMIPConformance

final class EncodingTests: XCTestCase {
    let sample = """
    <!-- a comment -->
    <RequestMessage>
      <RequestHeader>
        <ProtocolVersion>
          <ProtocolVersionMajor type="Integer" value="1"/>
          <ProtocolVersionMinor type="Integer" value="4"/>
        </ProtocolVersion>
        <ClientCorrelationValue type="TextString" value="a &amp; b &#913;"/>
        <TimeStamp type="DateTime" value="$NOW-3600"/>
        <BatchCount type="Integer" value="1"/>
      </RequestHeader>
      <BatchItem>
        <Operation type="Enumeration" value="Create"/>
        <RequestPayload>
          <ObjectType type="Enumeration" value="SymmetricKey"/>
          <TemplateAttribute>
            <Attribute>
              <AttributeName type="TextString" value="Cryptographic Usage Mask"/>
              <AttributeValue type="Integer" value="Decrypt Encrypt"/>
            </Attribute>
            <Attribute>
              <AttributeName type="TextString" value="State"/>
              <AttributeValue type="Enumeration" value="PreActive"/>
            </Attribute>
            <Attribute>
              <AttributeName type="TextString" value="x-ID"/>
              <AttributeValue type="TextString" value="$UNIQUE_IDENTIFIER_2"/>
            </Attribute>
          </TemplateAttribute>
          <TTLV tag="0x540001" type="ByteString" value="00ff"/>
        </RequestPayload>
      </BatchItem>
    </RequestMessage>
    """

    func testPlaceholdersParseIntoBindableForm() throws {
        let t = try TTLVTemplate(xml: XMLReader.parse(sample))
        XCTAssertEqual(t.placeholders.map(\.text), ["NOW-3600", "UNIQUE_IDENTIFIER_2"])
        XCTAssertEqual(t.placeholders[0].name, "NOW")
        XCTAssertEqual(t.placeholders[0].offset, -3600)
        XCTAssertEqual(t.placeholders[1].name, "UNIQUE_IDENTIFIER")
        XCTAssertEqual(t.placeholders[1].index, 2)
        let bound = try t.bind { p, _, type in
            type == .dateTime ? .dateTime(DateTime(secondsSince1970: 1_000_000 + p.offset!)) : .textString("uid-\(p.index!)")
        }
        XCTAssertEqual(bound[.requestHeader]?[.timeStamp]?.value, .dateTime(DateTime(secondsSince1970: 996_400)))
        XCTAssertEqual(bound[.requestHeader]?[.clientCorrelationValue]?.value, .textString("a & b Α"))
        let attrs = bound[.batchItem]![.requestPayload]![.templateAttribute]!.children
        XCTAssertEqual(attrs[0][.attributeValue]?.value, .integer(12), "mask names resolve by the attribute name")
        XCTAssertEqual(attrs[1][.attributeValue]?.value, .enumeration(State.preActive.rawValue))
        XCTAssertEqual(attrs[2][.attributeValue]?.value, .textString("uid-2"))
        XCTAssertEqual(bound[.batchItem]![.requestPayload]![Tag(0x540001)]?.value, .byteString([0, 255]))
        XCTAssertThrowsError(try KMIPXML.decode(sample), "outside a test case, $NOW-3600 is no Date-Time")
    }

    /// Fuzzing findings 2–4 (Fuzz/README.md): values whose text form did not read back.
    func testEveryValueRoundTripsThroughXMLAndJSON() throws {
        let items = [
            TTLV(.nameValue, .textString("$UNIQUE_IDENTIFIER_2")),
            TTLV(.timeStamp, .dateTime(DateTime(secondsSince1970: 253_402_300_800))),  // 10000-01-01
            TTLV(.timeStamp, .dateTime(DateTime(secondsSince1970: Int64.min))),
            TTLV(.timeStamp, .dateTime(DateTime(secondsSince1970: -62_167_219_201))),  // just before 0000-01-01
            TTLV(.resultReason, .enumeration(0x38)),  // "Reserved", a name shared by several values
            TTLV(.resultReason, .enumeration(0x0B)),
        ]
        for item in items {
            XCTAssertEqual(try KMIPXML.decode(KMIPXML.encode(item)), item, KMIPXML.encode(item))
            XCTAssertEqual(try KMIPJSON.decode(KMIPJSON.encode(item)), item, KMIPJSON.encode(item))
        }
        XCTAssertTrue(KMIPXML.encode(items[5]).contains("value=\"IllegalOperation\""), "unambiguous names stay names")
        XCTAssertTrue(KMIPXML.encode(TTLV(.timeStamp, .dateTime(DateTime(secondsSince1970: 0)))).contains("1970-01-01T00:00:00"))
        XCTAssertEqual(ISO8601.parse(ISO8601.format(ISO8601.fourDigitYears.upperBound)), ISO8601.fourDigitYears.upperBound)
        XCTAssertEqual(ISO8601.parse(ISO8601.format(ISO8601.fourDigitYears.lowerBound)), ISO8601.fourDigitYears.lowerBound)
    }

    /// Fuzzing finding 5: a header naming 0.x encoded an empty message.
    func testAMessageBelowVersionOneIsWrittenWithVersionOnesFields() throws {
        let m = RequestMessage(header: RequestHeader(protocolVersion: ProtocolVersion(0, 9), batchCount: 0), batchItems: [])
        let tree = try TTLV(decoding: m.encoded())
        XCTAssertEqual(tree[.requestHeader]?[.protocolVersion]?[.protocolVersionMinor]?.value, .integer(9))
        XCTAssertEqual(tree[.requestHeader]?[.batchCount]?.value, .integer(0))
    }

    func testXMLAndJSONRoundTrip() throws {
        let item = try TTLVTemplate(xml: XMLReader.parse(sample)).bind { _, _, type in
            type == .dateTime ? .dateTime(DateTime(secondsSince1970: 1_234_567_890)) : .textString("x")
        }
        XCTAssertEqual(try KMIPXML.decode(KMIPXML.encode(item)), item)
        let json = KMIPJSON.encode(item)
        XCTAssertTrue(json.contains("\"value\": \"Encrypt Decrypt\""), json)
        XCTAssertTrue(json.contains("\"tag\": \"0x540001\""), json)
        XCTAssertEqual(try KMIPJSON.decode(json), item)
        XCTAssertTrue(TextFormat.format(item).contains("Operation (Enumeration): Create"))
        XCTAssertTrue(KMIPXML.encode(item).contains("<TimeStamp type=\"DateTime\" value=\"2009-02-13T23:31:30+00:00\"/>"))
    }

    func testBadInputNamesTheProblem() {
        XCTAssertThrowsError(try KMIPXML.decode("<Nope type=\"Integer\" value=\"1\"/>")) { XCTAssertTrue("\($0)".contains("unknown element <Nope>")) }
        XCTAssertThrowsError(try KMIPXML.decode("<BatchCount type=\"Integer\" value=\"x\"/>")) { XCTAssertTrue("\($0)".contains("not a valid Integer")) }
        XCTAssertThrowsError(try KMIPXML.decode("<Operation type=\"Enumeration\" value=\"Fly\"/>"))
        XCTAssertThrowsError(try KMIPXML.decode("<RequestMessage><BatchCount type=\"Integer\" value=\"1\"/>"))
        XCTAssertThrowsError(try KMIPJSON.decode("{\"tag\": \"BatchCount\", \"type\": \"Integer\", \"value\": \"one\"}"))
        XCTAssertThrowsError(try KMIPJSON.decode("[1, 2"))
        XCTAssertEqual(try KMIPJSON.decode("{\"tag\":\"0x420020\",\"type\":\"LongInteger\",\"value\":\"0x01B69B4BA5749200\"}").value,
                       .longInteger(123_456_789_000_000_000))
    }

    func testISO8601() {
        // The ends of Int64 format without trapping (a fuzzer found `t - 86399` overflowing).
        XCTAssertFalse(ISO8601.format(Int64.min).isEmpty)
        XCTAssertFalse(ISO8601.format(Int64.min + 86_398).isEmpty)
        XCTAssertFalse(ISO8601.format(Int64.max).isEmpty)
        XCTAssertEqual(ISO8601.format(-1), "1969-12-31T23:59:59+00:00")
        XCTAssertEqual(ISO8601.format(-86_400), "1969-12-31T00:00:00+00:00")
        XCTAssertEqual(ISO8601.parse("1970-01-01T00:00:00Z"), 0)
        XCTAssertEqual(ISO8601.parse("2008-03-14T11:56:40+00:00"), 1_205_495_800)
        XCTAssertEqual(ISO8601.parse("2008-03-14T12:56:40+01:00"), 1_205_495_800)
        XCTAssertEqual(ISO8601.format(-1), "1969-12-31T23:59:59+00:00")
        XCTAssertNil(ISO8601.parse("2008-13-14T11:56:40Z"))
        for t: Int64 in [0, 951_782_400, 4_102_444_800, -86_400 * 365] {
            XCTAssertEqual(ISO8601.parse(ISO8601.format(t)), t)
        }
    }
}
