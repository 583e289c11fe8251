import KMIP
import XCTest
@testable import KMIPConformance

/// The comparison rules on small hand-written messages (no server).
final class ResponseComparatorTests: XCTestCase {
    static func header(_ minor: Int = 4, time: String = "$NOW") -> String {
        """
        <ResponseHeader><ProtocolVersion><ProtocolVersionMajor type="Integer" value="1"/>
        <ProtocolVersionMinor type="Integer" value="\(minor)"/></ProtocolVersion>
        <TimeStamp type="DateTime" value="\(time)"/><BatchCount type="Integer" value="1"/></ResponseHeader>
        """
    }

    static func response(_ item: String, minor: Int = 4, time: String = "$NOW") throws -> TTLVTemplate {
        try TTLVTemplate(xml: XMLReader.parse("<ResponseMessage>\(header(minor, time: time))<BatchItem>\(item)</BatchItem></ResponseMessage>"))
    }

    static func actual(_ item: String, minor: Int = 4, time: Int64 = 1_700_000_000) throws -> TTLV {
        try response(item, minor: minor, time: "$NOW").bind { _, _, _ in .dateTime(DateTime(secondsSince1970: time)) }
    }

    static let request = TTLV(.requestMessage, .structure([]))

    static func bindings() -> Bindings {
        var b = Bindings()
        b.now = 1_700_000_000
        return b
    }

    func compare(_ expected: TTLVTemplate, _ actual: TTLV, _ b: inout Bindings) -> String? {
        ResponseComparator().compare(expected: expected, actual: actual, request: Self.request, bindings: &b)?.description
    }

    let create = """
        <Operation type="Enumeration" value="Create"/><ResultStatus type="Enumeration" value="Success"/>
        <ResponsePayload><ObjectType type="Enumeration" value="SymmetricKey"/>
        <UniqueIdentifier type="TextString" value="%@"/></ResponsePayload>
        """

    func testUniqueIdentifiersBindInOrderAndMustBeDistinct() throws {
        var b = Self.bindings()
        let e0 = try Self.response(create.replacingOccurrences(of: "%@", with: "$UNIQUE_IDENTIFIER_0"))
        let e1 = try Self.response(create.replacingOccurrences(of: "%@", with: "$UNIQUE_IDENTIFIER_1"))
        XCTAssertNil(compare(e0, try Self.actual(create.replacingOccurrences(of: "%@", with: "a")), &b))
        XCTAssertEqual(b.values["UNIQUE_IDENTIFIER_0"], .textString("a"))
        // The same identifier again where the test expects a new one.
        XCTAssertEqual(compare(e1, try Self.actual(create.replacingOccurrences(of: "%@", with: "a")), &b),
                       "BatchItem[1].ResponsePayload.UniqueIdentifier: the server returned \"a\", already bound to $UNIQUE_IDENTIFIER_0, where the test expects a new identifier $UNIQUE_IDENTIFIER_1")
        XCTAssertNil(compare(e1, try Self.actual(create.replacingOccurrences(of: "%@", with: "b")), &b))
        // A bound placeholder must repeat its value.
        XCTAssertNotNil(compare(e0, try Self.actual(create.replacingOccurrences(of: "%@", with: "b")), &b))
        XCTAssertEqual(try b.requestValue(Placeholder("$UNIQUE_IDENTIFIER_1")!, tag: .uniqueIdentifier, type: .textString), .textString("b"))
        XCTAssertThrowsError(try b.requestValue(Placeholder("$UNIQUE_IDENTIFIER_7")!, tag: .uniqueIdentifier, type: .textString))
    }

    func testNowHasATolerance() throws {
        var b = Self.bindings()
        let e = try Self.response(create.replacingOccurrences(of: "%@", with: "$UNIQUE_IDENTIFIER_0"))
        let item = create.replacingOccurrences(of: "%@", with: "x")
        XCTAssertNil(compare(e, try Self.actual(item, time: 1_700_000_004), &b))
        XCTAssertEqual(compare(e, try Self.actual(item, time: 1_700_003_600), &b)?.hasPrefix("ResponseHeader.TimeStamp: expected $NOW"), true)
    }

    func testStatusReasonAndOperationAreStrictAndResultMessageIgnored() throws {
        var b = Self.bindings()
        let expected = try Self.response("""
            <Operation type="Enumeration" value="Get"/><ResultStatus type="Enumeration" value="OperationFailed"/>
            <ResultReason type="Enumeration" value="ItemNotFound"/><ResultMessage type="TextString" value="nope"/>
            """)
        let same = try Self.actual("""
            <Operation type="Enumeration" value="Get"/><ResultStatus type="Enumeration" value="OperationFailed"/>
            <ResultReason type="Enumeration" value="ItemNotFound"/><ResultMessage type="TextString" value="other text"/>
            """)
        XCTAssertNil(compare(expected, same, &b))
        let otherReason = try Self.actual("""
            <Operation type="Enumeration" value="Get"/><ResultStatus type="Enumeration" value="OperationFailed"/>
            <ResultReason type="Enumeration" value="PermissionDenied"/>
            """)
        XCTAssertEqual(compare(expected, otherReason, &b), "BatchItem[1].ResultReason: expected ItemNotFound, got PermissionDenied")
        let success = try Self.actual("""
            <Operation type="Enumeration" value="Get"/><ResultStatus type="Enumeration" value="Success"/>
            <ResponsePayload><ObjectType type="Enumeration" value="SymmetricKey"/></ResponsePayload>
            """)
        XCTAssertEqual(compare(expected, success, &b), "BatchItem[1].ResultStatus: expected OperationFailed, got Success")
        let otherOperation = try Self.actual("""
            <Operation type="Enumeration" value="Locate"/><ResultStatus type="Enumeration" value="OperationFailed"/>
            <ResultReason type="Enumeration" value="ItemNotFound"/>
            """)
        XCTAssertEqual(compare(expected, otherOperation, &b), "BatchItem[1].Operation: expected Get, got Locate")
    }

    func attributes(_ list: [(String, String, String)]) -> String {
        """
        <Operation type="Enumeration" value="GetAttributes"/><ResultStatus type="Enumeration" value="Success"/>
        <ResponsePayload><UniqueIdentifier type="TextString" value="u"/>
        """ + list.map { n, t, v in
            "<Attribute><AttributeName type=\"TextString\" value=\"\(n)\"/><AttributeValue type=\"\(t)\" value=\"\(v)\"/></Attribute>"
        }.joined() + "</ResponsePayload>"
    }

    func testAttributesAreAMultisetButValuesAreStrict() throws {
        var b = Self.bindings()
        let expected = try Self.response(attributes([
            ("State", "Enumeration", "PreActive"), ("Cryptographic Length", "Integer", "256"),
            ("Cryptographic Algorithm", "Enumeration", "AES"),
        ]))
        let reordered = try Self.actual(attributes([
            ("Cryptographic Algorithm", "Enumeration", "AES"), ("State", "Enumeration", "PreActive"),
            ("Cryptographic Length", "Integer", "256"),
        ]))
        XCTAssertNil(compare(expected, reordered, &b))
        let wrong = try Self.actual(attributes([
            ("Cryptographic Algorithm", "Enumeration", "AES"), ("State", "Enumeration", "Active"),
            ("Cryptographic Length", "Integer", "256"),
        ]))
        XCTAssertEqual(compare(expected, wrong, &b), "BatchItem[1].ResponsePayload.Attribute[1].AttributeValue: expected PreActive, got Active")
        let extra = try Self.actual(attributes([
            ("Cryptographic Algorithm", "Enumeration", "AES"), ("State", "Enumeration", "PreActive"),
            ("Cryptographic Length", "Integer", "256"), ("Object Type", "Enumeration", "SymmetricKey"),
        ]))
        XCTAssertEqual(compare(expected, extra, &b), "BatchItem[1].ResponsePayload.Attribute[4]: unexpected Attribute \"Object Type\" in the response")
        let missing = try Self.actual(attributes([("State", "Enumeration", "PreActive"), ("Cryptographic Length", "Integer", "256")]))
        XCTAssertEqual(compare(expected, missing, &b), "BatchItem[1].ResponsePayload.Attribute[3]: missing in the response (expected Attribute \"Cryptographic Algorithm\")")
    }

    func testRandomBytesCompareByLengthUnlessTheClientSentThem() throws {
        let digest = { (hex: String) in
            """
            <Operation type="Enumeration" value="GetAttributes"/><ResultStatus type="Enumeration" value="Success"/>
            <ResponsePayload><UniqueIdentifier type="TextString" value="u"/><Attribute><AttributeName type="TextString" value="Digest"/>
            <AttributeValue><HashingAlgorithm type="Enumeration" value="SHA_256"/><DigestValue type="ByteString" value="\(hex)"/>
            </AttributeValue></Attribute></ResponsePayload>
            """
        }
        var b = Self.bindings()
        let expected = try Self.response(digest("00112233"))
        XCTAssertNil(compare(expected, try Self.actual(digest("deadbeef")), &b))
        XCTAssertEqual(compare(expected, try Self.actual(digest("deadbeef00")), &b),
                       "BatchItem[1].ResponsePayload.Attribute.AttributeValue.DigestValue: expected 4 random bytes, got 5")
        b.recordSent(TTLV(.digestValue, .byteString(ByteString([0x00, 0x11, 0x22, 0x33]))))
        XCTAssertNotNil(compare(expected, try Self.actual(digest("deadbeef")), &b))
        XCTAssertNil(compare(expected, try Self.actual(digest("00112233")), &b))
    }

    /// Rule 10 for Obtain Lease: the Lease Time is the server's policy, compared by type; rule 5's
    /// echo check never applies to the response header's Time Stamp.
    func testLeaseTimeAndTimeStampAreTheServers() throws {
        let lease = { (value: String, type: String, changed: String) in
            """
            <Operation type="Enumeration" value="ObtainLease"/><ResultStatus type="Enumeration" value="Success"/>
            <ResponsePayload><UniqueIdentifier type="TextString" value="u"/><LeaseTime type="\(type)" value="\(value)"/>
            <LastChangeDate type="DateTime" value="\(changed)"/></ResponsePayload>
            """
        }
        var b = Self.bindings()
        let reference = "2010-02-11T15:45:49+00:00", ours = "2026-12-07T17:00:00+00:00"
        let expected = try Self.response(lease("3600", "Interval", reference))
        XCTAssertNil(compare(expected, try Self.actual(lease("31536000", "Interval", ours)), &b))
        XCTAssertEqual(compare(expected, try Self.actual(lease("3600", "Integer", ours)), &b),
                       "BatchItem[1].ResponsePayload.LeaseTime: expected an Interval for Lease Time, got a Integer")

        let stamped = try Self.response(lease("3600", "Interval", reference), time: "2010-02-11T15:45:50+00:00")
        b.recordSent(TTLV(.compromiseOccurrenceDate, .dateTime(DateTime(secondsSince1970: 1_265_903_150))))
        XCTAssertNil(compare(stamped, try Self.actual(lease("3600", "Interval", ours)), &b), "the Time Stamp is no echo of the client's date")
        b.recordSent(TTLV(.lastChangeDate, .dateTime(DateTime(secondsSince1970: 1_265_903_149))))
        XCTAssertNotNil(compare(stamped, try Self.actual(lease("3600", "Interval", ours)), &b), "a payload date the client sent must come back")
    }

    func testGroupNames() {
        XCTAssertEqual(ConformanceCorpus.group(ofBaseName: "SKLC-M-1-10"), "SKLC-M")
        XCTAssertEqual(ConformanceCorpus.group(ofBaseName: "TL_M_1_10_tape_library_config"), "TL-M")
        XCTAssertEqual(ConformanceCorpus.group(ofBaseName: "TC-Q-CAP-1-13"), "TC-Q-CAP")
        XCTAssertEqual(ConformanceCorpus.group(ofBaseName: "TC_NP_2_12_Notify_Put"), "TC-NP")
        XCTAssertEqual(ConformanceCorpus.group(ofBaseName: "TC_311_10_Create_Destroy"), "TC-3.x")
        XCTAssertEqual(ConformanceCorpus.group(ofBaseName: "TC_32_11_Asynchronous_Locate"), "TC-3.x")
        XCTAssertEqual(ConformanceCorpus.group(ofBaseName: "TC_121_12_Query_Maximum_Response_Size"), "TC-12.x")
        XCTAssertEqual(ConformanceCorpus.group(ofBaseName: "TC-CREATE-SD-1-14"), "TC-CREATE-SD")
    }
}
