import Foundation
import XCTest
@testable import KMIP

/// Byte-exact golden vectors: the spec's §9.1.2 examples and the OASIS messages NLnet Labs transcribed.
final class TTLVVectorTests: XCTestCase {
    func testSpecExamplesEncodeExactlyAndDecodeBack() throws {
        let url = try SharedData.require("kmip-testcases/vectors/oasis-spec-ttlv-examples.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let examples = json["examples"] as! [[String: Any]]
        XCTAssertEqual(examples.count, 10)
        let tag = Tag(0x420020)
        let expected: [TTLV] = [
            TTLV(tag, .integer(8)),
            TTLV(tag, .longInteger(123_456_789_000_000_000)),
            TTLV(tag, .bigInteger(BigInteger(encoded: SharedData.hex("0000000003FD35EB6BC2DF4618080000")))),
            TTLV(tag, .enumeration(255)),
            TTLV(tag, .boolean(true)),
            TTLV(tag, .textString("Hello World")),
            TTLV(tag, .byteString([1, 2, 3])),
            TTLV(tag, .dateTime(DateTime(secondsSince1970: ISO8601.parse("2008-03-14T11:56:40Z")!))),
            TTLV(tag, .interval(Interval(seconds: 864_000))),
            TTLV(tag, .structure([TTLV(Tag(0x420004), .enumeration(254)), TTLV(Tag(0x420005), .integer(255))])),
        ]
        for (example, value) in zip(examples, expected) {
            let bytes = SharedData.hex(example["hex"] as! String)
            XCTAssertEqual(SharedData.hexString(value.encoded()), SharedData.hexString(bytes), "\(example["description"]!)")
            XCTAssertEqual(try TTLV(decoding: bytes), value, "\(example["description"]!)")
        }
        // 1234567890000000000000000000 is 0x03FD35EB6BC2DF4618080000.
        XCTAssertEqual(BigInteger(unsigned: SharedData.hex("03FD35EB6BC2DF4618080000")).bytes, SharedData.hex("0000000003FD35EB6BC2DF4618080000"))
    }

    func testNLnetLabsMessagesRoundTripThroughTheTypedModel() throws {
        let dir = try SharedData.require("kmip-testcases/vectors/nlnetlabs-kmip-protocol")
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("index.json"))) as! [String: Any]
        let vectors = index["vectors"] as! [[String: Any]]
        var passed = 0
        var failures: [String] = []
        for v in vectors {
            let file = v["file"] as! String
            let bytes = SharedData.hex(try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8))
            do {
                let reencoded: [UInt8]
                if v["kind"] as! String == "request" {
                    reencoded = try RequestMessage(ttlv: bytes).encoded()
                } else {
                    reencoded = try ResponseMessage(ttlv: bytes).encoded()
                }
                if reencoded == bytes { passed += 1 } else { failures.append("\(file): re-encoding differs") }
            } catch {
                failures.append("\(file): \(error)")
            }
        }
        print("NLnet Labs vectors: \(passed)/\(vectors.count) byte-identical")
        XCTAssertEqual(vectors.count, 75)
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
    }
}
