import XCTest
@testable import StrongroomCLI

final class VaultJSONTests: XCTestCase {
    func testNumbersKeepTheirLiteral() throws {
        let v = try VaultJSON.parse(#"{"a": 86400, "b": 1.50, "c": 317328055225536560033788492808123425026102524390, "d": -1e3}"#)
        XCTAssertEqual(v, .object(["a": .number("86400"), "b": .number("1.50"),
                                   "c": .number("317328055225536560033788492808123425026102524390"), "d": .number("-1e3")]))
    }

    func testStringsAndEscapes() throws {
        XCTAssertEqual(try VaultJSON.parse(#""a\nb\u00e9\ud83d\ude00\/\"""#), .string("a\nbé😀/\""))
    }

    func testRejectsInvalidJSON() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "tru", "01x", "\"\u{01}\"", "{} {}"] {
            XCTAssertThrowsError(try VaultJSON.parse(text), text)
        }
    }

    func testRejectsDeepNesting() {
        XCTAssertThrowsError(try VaultJSON.parse(String(repeating: "[", count: 10_000)))
    }

    func testGoStyleDescription() {
        XCTAssertEqual(VaultJSON.array([.string("a"), .string("b"), .string("c")]).goDescription, "[a b c]")
        XCTAssertEqual(VaultJSON.object(["z": .number("1"), "a": .bool(true)]).goDescription, "map[a:true z:1]")
        XCTAssertEqual(VaultJSON.null.goDescription, "<nil>")
        XCTAssertEqual(VaultJSON.array([]).goDescription, "[]")
        XCTAssertEqual(VaultJSON.array([.object(["k": .string("v")]), .null]).goDescription, "[map[k:v] <nil>]")
    }

    func testIndentedLikeGoMarshalIndent() {
        let v: VaultJSON = .object(["keys": .array([.string("b"), .string("a")]), "empty": .object([:]), "none": .array([]),
                                    "n": .number("2")])
        XCTAssertEqual(v.indentedJSON(), """
            {
              "empty": {},
              "keys": [
                "b",
                "a"
              ],
              "n": 2,
              "none": []
            }
            """)
    }

    func testGoEscapesHTMLCharacters() {
        XCTAssertEqual(VaultJSON.quote("<a&b>\t\u{01}"), #""\u003ca\u0026b\u003e\t\u0001""#)
    }

    func testCompactJSONIsSorted() {
        XCTAssertEqual(VaultJSON.object(["b": .string("2"), "a": .array([.bool(false), .null])]).compactJSON,
                       #"{"a":[false,null],"b":"2"}"#)
    }
}
