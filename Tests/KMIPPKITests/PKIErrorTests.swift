import XCTest
@testable import KMIPPKI

final class PKIErrorTests: XCTestCase {
    func testDescriptionIsTheMessage() {
        XCTAssertEqual(PKIError(.invalidCSR, "bad CSR").description, "bad CSR")
    }
}
