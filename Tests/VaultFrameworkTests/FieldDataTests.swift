import XCTest
@testable import VaultFramework

final class FieldDataTests: XCTestCase {
    func testDurations() throws {
        XCTAssertEqual(try VaultDuration.seconds(parsing: "1s", field: "t"), 1)
        XCTAssertEqual(try VaultDuration.seconds(parsing: "20m", field: "t"), 1200)
        XCTAssertEqual(try VaultDuration.seconds(parsing: "336h", field: "t"), 1_209_600)
        XCTAssertEqual(try VaultDuration.seconds(parsing: "1h30m10s", field: "t"), 5410)
        XCTAssertEqual(try VaultDuration.seconds(parsing: "1.5h", field: "t"), 5400)
        XCTAssertEqual(try VaultDuration.seconds(parsing: "86400", field: "t"), 86400)
        XCTAssertEqual(try VaultDuration.seconds(.int(30), field: "t"), 30)
        XCTAssertEqual(try VaultDuration.seconds(.double(60), field: "t"), 60)
        for bad: VaultValue in ["abc", "5x", "-1s", "", "h", .int(-1), true, .double(1.5)] {
            XCTAssertThrowsError(try VaultDuration.seconds(bad, field: "connection_timeout"), "\(bad)") { error in
                XCTAssertTrue((error as? FieldError)?.message.contains("connection_timeout") ?? false, "\(error)")
            }
        }
        XCTAssertEqual(VaultDuration.human(seconds: 1_209_600), "336h")
        XCTAssertEqual(VaultDuration.human(seconds: 0), "0s")
        XCTAssertEqual(VaultDuration.human(seconds: 5410), "1h30m10s")
    }

    func testCoercionToEachType() throws {
        func coerce(_ value: VaultValue, _ type: FieldType) throws -> VaultValue? { try type.coerce(value, field: "f") }
        XCTAssertEqual(try coerce("a.example, b.example,,c", .commaStringSlice), ["a.example", "b.example", "c"])
        XCTAssertEqual(try coerce(["x", "y,z", 5], .commaStringSlice), ["x", "y", "z", "5"])
        XCTAssertEqual(try coerce("", .commaStringSlice), [])
        XCTAssertThrowsError(try coerce(true, .commaStringSlice))
        XCTAssertEqual(try coerce("true", .bool), true)
        XCTAssertEqual(try coerce("0", .bool), false)
        XCTAssertEqual(try coerce(1, .bool), true)
        XCTAssertThrowsError(try coerce("yes", .bool))
        XCTAssertEqual(try coerce("384", .int), 384)
        XCTAssertEqual(try coerce(384.0, .int), 384)
        XCTAssertThrowsError(try coerce(1.5, .int))
        XCTAssertEqual(try coerce(42, .string), "42")
        XCTAssertThrowsError(try coerce(["a"], .string))
        XCTAssertEqual(try coerce("24h", .durationSecond), 86400)
        XCTAssertThrowsError(try coerce("a", .map))
        XCTAssertEqual(try coerce(["k": 1], .map), ["k": 1])
        // Unset: null (but for a list, which it clears), and "" for a duration (Terraform sends
        // `explicit_max_ttl = ""`).
        XCTAssertNil(try coerce(nil, .string))
        XCTAssertNil(try coerce("", .durationSecond))
    }

    func testFieldDataCoercesOnceWithDefaults() throws {
        let schema = [
            FieldSchema("ttl", .durationSecond, default: "1h", ""),
            FieldSchema("names", .commaStringSlice, ""),
            FieldSchema("force", .bool, ""),
            FieldSchema("bits", .int, default: 256, ""),
        ]
        let data = try FieldData(raw: ["ttl": "90m", "names": "a,b", "bogus": 1], schema: schema)
        XCTAssertEqual(data.duration("ttl"), 5400)
        XCTAssertEqual(data.stringList("names"), ["a", "b"])
        XCTAssertEqual(data.int("bits"), 256)
        XCTAssertFalse(data.bool("force"))
        XCTAssertEqual(data.unknown, ["bogus"])
        XCTAssertTrue(data.isGiven("ttl"))
        XCTAssertFalse(data.isGiven("bits"))
        XCTAssertNil(data.explicit.int("bits"), "explicit values only: no default")
        XCTAssertEqual(data.explicit.duration("ttl"), 5400)
        // The first bad field (by name) is named.
        XCTAssertThrowsError(try FieldData(raw: ["ttl": "forever", "bits": "x"], schema: schema)) { error in
            XCTAssertEqual((error as? FieldError)?.message.hasPrefix("bits"), true, "\(error)")
        }
    }

    /// Go's decoder: no leading zeros; an unpaired surrogate is U+FFFD and the next escape stands alone.
    func testParserFollowsJSONStrictly() throws {
        for bad in ["010", "-01", "{\"a\":00}", "[01.5]"] { XCTAssertThrowsError(try VaultValue.parse(bad), bad) }
        XCTAssertEqual(try VaultValue.parse("[0, -0, 0.5, 10, 0e1]").listValue?.count, 5)
        XCTAssertEqual(try VaultValue.parse(#""\ud800\u0041""#), .string("\u{FFFD}A"))
        XCTAssertEqual(try VaultValue.parse(#""\udc00x""#), .string("\u{FFFD}x"))
        XCTAssertNil(VaultNumber(literal: "007"))
        // A null list clears it; a null scalar is unset; Go's white space is trimmed from list items.
        XCTAssertEqual(try FieldType.commaStringSlice.coerce(nil, field: "f"), [])
        XCTAssertNil(try FieldType.int.coerce(nil, field: "f"))
        XCTAssertEqual(try FieldType.commaStringSlice.coerce("a,\u{A0}b\n", field: "f"), ["a", "b"])
    }

    func testNumbersKeepTheirLiteralAndCompareByValue() throws {
        let v = try VaultValue.parse(#"{"b": 1.50, "big": 18446744073709551616}"#)
        XCTAssertEqual(v.compactJSON, #"{"b":1.50,"big":18446744073709551616}"#)
        XCTAssertEqual(v["b"], .double(1.5))
        XCTAssertEqual(Set([VaultValue.int(1), .double(1.0)]).count, 1)
        XCTAssertNil(v["big"]?.intValue)
        XCTAssertNil(VaultNumber(literal: "1e"))
        XCTAssertNil(VaultNumber(literal: "0x10"))
        XCTAssertEqual(VaultNumber(literal: "-2.5E+3")?.double, -2500)
        // Through Swift's coders too.
        let coded = try JSONDecoder().decode(VaultValue.self, from: JSONEncoder().encode(v))
        XCTAssertEqual(coded, v)
    }
}
