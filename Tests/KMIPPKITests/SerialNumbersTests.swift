import X509
import XCTest
@testable import KMIPPKI

final class SerialNumbersTests: XCTestCase {
    func testKnownDecimal() {
        XCTAssertEqual(SerialNumbers.decimal(bigEndian: []), "0")
        XCTAssertEqual(SerialNumbers.decimal(bigEndian: [0x00, 0x01]), "1")
        XCTAssertEqual(SerialNumbers.decimal(bigEndian: [0x01, 0x00]), "256")
        XCTAssertEqual(SerialNumbers.decimal(bigEndian: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), "18446744073709551615")
        // 2^159 (the first 160-bit value with the top bit of 20 bytes set below the sign bit).
        var twoTo159 = [UInt8](repeating: 0, count: 20)
        twoTo159[0] = 0x80
        XCTAssertEqual(SerialNumbers.decimal(bigEndian: twoTo159), "730750818665451459101842416358141509827966271488")
    }

    func testRandomSerialsAre160BitPositiveAndRoundTrip() throws {
        var seen = Set<String>()
        for _ in 0..<200 {
            let serial = SerialNumbers.random()
            XCTAssertEqual(serial.bytes.count, 20)
            XCTAssertLessThan(serial.bytes.first!, 0x80)
            XCTAssertNotEqual(serial.bytes.first!, 0)
            let text = SerialNumbers.decimal(serial)
            XCTAssertTrue(text.allSatisfy(\.isNumber))
            XCTAssertEqual(SerialNumbers.serial(decimal: text), serial)
            seen.insert(text)
        }
        XCTAssertEqual(seen.count, 200)
    }

    func testParseRejectsJunk() {
        XCTAssertNil(SerialNumbers.serial(decimal: ""))
        XCTAssertNil(SerialNumbers.serial(decimal: "12a"))
        XCTAssertNil(SerialNumbers.serial(decimal: "-1"))
        XCTAssertNil(SerialNumbers.serial(decimal: String(repeating: "9", count: 61)))
        XCTAssertEqual(SerialNumbers.serial(decimal: "256"), Certificate.SerialNumber(bytes: [0x01, 0x00]))
    }
}
