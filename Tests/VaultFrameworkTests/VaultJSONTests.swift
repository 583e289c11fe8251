import XCTest
@testable import VaultFramework

final class VaultJSONTests: XCTestCase {
    func testNumbersKeepTheirLiteral() throws {
        let v = try VaultValue.parse(#"{"a": 86400, "b": 1.50, "c": 317328055225536560033788492808123425026102524390, "d": -1e3}"#)
        XCTAssertEqual(v, .object(["a": .number(VaultNumber(literal: "86400")!), "b": .number(VaultNumber(literal: "1.50")!),
                                   "c": .number(VaultNumber(literal: "317328055225536560033788492808123425026102524390")!), "d": .number(VaultNumber(literal: "-1e3")!)]))
    }

    func testStringsAndEscapes() throws {
        XCTAssertEqual(try VaultValue.parse(#""a\nb\u00e9\ud83d\ude00\/\"""#), .string("a\nbé😀/\""))
    }

    func testRejectsInvalidJSON() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "tru", "01x", "\"\u{01}\"", "{} {}"] {
            XCTAssertThrowsError(try VaultValue.parse(text), text)
        }
    }

    func testRejectsDeepNesting() {
        XCTAssertThrowsError(try VaultValue.parse(String(repeating: "[", count: 10_000)))
    }

    func testGoStyleDescription() {
        XCTAssertEqual(VaultValue.list([.string("a"), .string("b"), .string("c")]).goDescription, "[a b c]")
        XCTAssertEqual(VaultValue.object(["z": .number(VaultNumber(literal: "1")!), "a": .bool(true)]).goDescription, "map[a:true z:1]")
        XCTAssertEqual(VaultValue.null.goDescription, "<nil>")
        XCTAssertEqual(VaultValue.list([]).goDescription, "[]")
        XCTAssertEqual(VaultValue.list([.object(["k": .string("v")]), .null]).goDescription, "[map[k:v] <nil>]")
    }

    func testIndentedLikeGoMarshalIndent() {
        let v: VaultValue = .object(["keys": .list([.string("b"), .string("a")]), "empty": .object([:]), "none": .list([]),
                                    "n": .number(VaultNumber(literal: "2")!)])
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
        XCTAssertEqual(VaultValue.quote("<a&b>\t\u{01}"), #""\u003ca\u0026b\u003e\t\u0001""#)
    }

    func testCompactJSONIsSorted() {
        XCTAssertEqual(VaultValue.object(["b": .string("2"), "a": .list([.bool(false), .null])]).compactJSON,
                       #"{"a":[false,null],"b":"2"}"#)
    }
}
