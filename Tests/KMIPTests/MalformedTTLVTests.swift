import Foundation
import XCTest
@testable import KMIP

/// Hostile input gets an error that names where it went wrong, never a crash, hang or unbounded allocation.
final class MalformedTTLVTests: XCTestCase {
    /// A Get request built by hand (no shared data needed).
    static let getRequest: [UInt8] = {
        var header = RequestHeader(protocolVersion: .v1_4, batchCount: 1)
        header.maximumResponseSize = 4096
        let item = TTLV(.batchItem, .structure([
            TTLV(.operation, .enumeration(Operation.get.rawValue)),
            TTLV(.uniqueBatchItemID, .byteString([1, 2, 3])),
            TTLV(.requestPayload, .structure([TTLV(.uniqueIdentifier, .textString("abc-123"))])),
        ]))
        return TTLV(.requestMessage, .structure([header.ttlv(tag: .requestHeader), item])).encoded()
    }()

    func decodeError(_ bytes: [UInt8], limits: Limits = .default) -> TTLVError? {
        do {
            _ = try RequestMessage(ttlv: bytes, limits: limits)
            return nil
        } catch let e as TTLVError {
            return e
        } catch {
            XCTFail("unexpected error type \(error)")
            return nil
        }
    }

    func testTheSampleDecodes() throws {
        let m = try RequestMessage(ttlv: Self.getRequest)
        XCTAssertEqual(m.batchItems.first?.operation, .get)
        XCTAssertEqual(m.requestHeader.maximumResponseSize, 4096)
    }

    func testTruncatedAtEveryByte() {
        let full = Self.getRequest
        for n in 0..<full.count {
            let e = decodeError(Array(full[0..<n]))
            XCTAssertNotNil(e, "a message cut at \(n) bytes must fail")
        }
    }

    func testLyingLengths() {
        var longer = Self.getRequest
        longer[7] &+= 8   // the message claims 8 bytes more than it has
        XCTAssertEqual(decodeError(longer)?.kind, .truncated)
        var shorter = Self.getRequest
        shorter[7] &-= 8  // … or 8 fewer: its last item then runs past the message's end
        XCTAssertEqual(decodeError(shorter)?.kind, .truncated)
        XCTAssertEqual(decodeError(Self.getRequest + [UInt8](repeating: 0, count: 8))?.kind, .trailingBytes)
        var inner = Self.getRequest
        inner[15] = 0xFF  // the Request Header claims more than its container holds
        let e = decodeError(inner)
        XCTAssertEqual(e?.kind, .truncated)
        XCTAssertEqual(e?.tag, .requestHeader)
        XCTAssertEqual(e?.offset, 8)
    }

    func testTwoGiBLengthFailsBeforeAllocating() {
        let header: [UInt8] = [0x42, 0x00, 0x78, 0x01, 0x80, 0x00, 0x00, 0x00]
        XCTAssertThrowsError(try header.withUnsafeBytes { try TTLVReader.frameLength(header: $0) }) { error in
            XCTAssertEqual((error as? TTLVError)?.kind, .messageTooLarge)
        }
        XCTAssertEqual(decodeError(header + [UInt8](repeating: 0, count: 8))?.kind, .truncated)
    }

    func testNestingDepthOneThousand() {
        var bytes: [UInt8] = []
        for depth in 0..<1_000 {
            let length = UInt32((1_000 - depth - 1) * 8)
            bytes += [0x42, 0x00, 0x78, 0x01] + withUnsafeBytes(of: length.bigEndian, Array.init)
        }
        let e = decodeError(bytes)
        XCTAssertEqual(e?.kind, .tooDeep)
        XCTAssertEqual(e?.offset, Limits.default.maxDepth * 8)
    }

    func testNonZeroPadding() {
        var bytes = Self.getRequest
        // Maximum Response Size is the first Integer after the Protocol Version: its padding is bytes 12–15 of the item.
        let at = bytes.firstRange(of: [0x42, 0x00, 0x50, 0x02])!.lowerBound
        bytes[at + 13] = 1
        let e = decodeError(bytes)
        XCTAssertEqual(e?.kind, .nonZeroPadding)
        XCTAssertEqual(e?.tag, .maximumResponseSize)
        XCTAssertEqual(e?.offset, at + 13)
    }

    func testWrongTypeForATag() {
        let header = TTLV(.requestHeader, .structure([
            ProtocolVersion.v1_4.ttlv(tag: .protocolVersion),
            TTLV(.batchCount, .textString("1")),
        ]))
        let bytes = TTLV(.requestMessage, .structure([header])).encoded()
        let e = decodeError(bytes)
        XCTAssertEqual(e?.kind, .unexpectedType)
        XCTAssertEqual(e?.tag, .batchCount)
        XCTAssertEqual(e?.resultReason, .invalidField)
    }

    func testUnknownEnumerationValue() {
        var bytes = Self.getRequest
        let at = bytes.firstRange(of: [0x42, 0x00, 0x5C, 0x05])!.lowerBound  // Operation
        bytes[at + 10] = 0x7F
        let e = decodeError(bytes)
        XCTAssertEqual(e?.kind, .unknownEnumeration)
        XCTAssertEqual(e?.tag, .operation)
    }

    func testHundredThousandItemStructure() {
        var body: [UInt8] = []
        for _ in 0..<100_000 { body += TTLV(.batchCount, .integer(1)).encoded() }
        let bytes: [UInt8] = [0x42, 0x00, 0x78, 0x01] + withUnsafeBytes(of: UInt32(body.count).bigEndian, Array.init) + body
        XCTAssertEqual(decodeError(bytes)?.kind, .tooManyItems)
    }

    func testTooManyBatchItems() {
        let item = TTLV(.batchItem, .structure([
            TTLV(.operation, .enumeration(Operation.discoverVersions.rawValue)),
            TTLV(.requestPayload, .structure([])),
        ]))
        let header = RequestHeader(protocolVersion: .v1_4, batchCount: 300).ttlv(tag: .requestHeader)
        let bytes = TTLV(.requestMessage, .structure([header] + Array(repeating: item, count: 300))).encoded()
        XCTAssertEqual(decodeError(bytes, limits: Limits(maxBatchItems: 256))?.kind, .tooManyItems)
    }

    func testOversizedMessage() {
        XCTAssertEqual(decodeError(Self.getRequest, limits: Limits(maxMessageBytes: 64))?.kind, .messageTooLarge)
    }

    func testStructuralErrors() {
        func item(_ type: UInt8, _ value: [UInt8]) -> [UInt8] {
            [0x42, 0x00, 0x20, type] + withUnsafeBytes(of: UInt32(value.count).bigEndian, Array.init) + value
                + [UInt8](repeating: 0, count: (8 - value.count % 8) % 8)
        }
        func kind(_ b: [UInt8]) -> TTLVError.Kind? {
            do { _ = try TTLV(decoding: b); return nil } catch { return (error as? TTLVError)?.kind }
        }
        XCTAssertEqual(kind(item(0x06, [0, 0, 0, 0, 0, 0, 0, 2])), .invalidBoolean)
        XCTAssertEqual(kind(item(0x07, [0xC3, 0x28])), .invalidUTF8)
        XCTAssertEqual(kind(item(0x07, [0xED, 0xA0, 0x80])), .invalidUTF8, "UTF-16 surrogates are not UTF-8")
        XCTAssertNil(kind(item(0x07, Array("Grüße, 世界 🔑".utf8))))
        XCTAssertEqual(kind(item(0x0C, [0, 0, 0, 0])), .invalidItemType)
        XCTAssertEqual(kind(item(0x02, [0, 0, 0, 0, 0, 0, 0, 1])), .invalidLength, "an Integer is 4 bytes")
        XCTAssertEqual(kind(item(0x04, [1, 2, 3, 4])), .invalidLength, "a Big Integer is a multiple of 8")
        var badTag = item(0x02, [0, 0, 0, 1])
        badTag[0] = 0x43
        XCTAssertEqual(kind(badTag), .invalidTag)
        XCTAssertEqual(kind([]), .truncated)
    }

    /// Seeded random corruption: every outcome is a value or a TTLVError.
    func testRandomCorruptionNeverCrashes() {
        var rng = SplitMix64(seed: 0x5EED)
        let base = Self.getRequest
        var rejected = 0
        for _ in 0..<20_000 {
            var b = base
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            if decodeError(b) != nil { rejected += 1 }
        }
        XCTAssertGreaterThan(rejected, 10_000)
    }
}

/// The same over real messages of every operation: the OASIS corpus and the NLnet Labs vectors.
final class CorpusCorruptionTests: XCTestCase {
    func decode(_ bytes: [UInt8]) -> Bool {
        do {
            if bytes.count > 2, bytes[2] == 0x78 { _ = try RequestMessage(ttlv: bytes) } else { _ = try ResponseMessage(ttlv: bytes) }
            return true
        } catch is TTLVError {
            return false
        } catch {
            XCTFail("unexpected error type \(error)")
            return false
        }
    }

    func testEveryVectorTruncatedAtEveryByte() throws {
        let dir = try SharedData.require("kmip-testcases/vectors/nlnetlabs-kmip-protocol")
        let files = FileManager.default.enumerator(atPath: dir.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".hex") }
        XCTAssertEqual(files.count, 75)
        for f in files {
            let bytes = SharedData.hex(try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8))
            XCTAssertTrue(decode(bytes), f)
            for n in 0..<bytes.count where decode(Array(bytes[0..<n])) {
                XCTFail("\(f) cut at \(n) of \(bytes.count) bytes decoded")
            }
        }
    }

    func testRandomCorruptionOfCorpusMessages() throws {
        let root = try SharedData.require("kmip-testcases")
        var rng = SplitMix64(seed: 0xC0FFEE)
        var messages: [[UInt8]] = []
        for row in try CorpusRoundTripTests.manifest(root) where row.path.hasPrefix("1.4") {
            let text = try String(contentsOf: root.appendingPathComponent(row.path), encoding: .utf8)
            for t in try KMIPXML.testCaseMessages(text) {
                messages.append(try t.bind(CorpusRoundTripTests.bind).encoded())
            }
        }
        XCTAssertGreaterThan(messages.count, 1_000)
        var decoded = 0, rejected = 0
        for (i, m) in messages.enumerated() where i % 3 == 0 {
            for _ in 0..<30 {
                var b = m
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
                if decode(b) { decoded += 1 } else { rejected += 1 }
            }
        }
        print("corrupted corpus messages: \(rejected) rejected with an error, \(decoded) still valid")
        XCTAssertGreaterThan(rejected, decoded)
    }
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
