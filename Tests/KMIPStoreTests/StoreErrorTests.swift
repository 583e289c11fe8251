import KMIP
import XCTest
@testable import KMIPStore

final class StoreErrorTests: XCTestCase {
    func testNotFoundIsItemNotFound() {
        XCTAssertEqual(StoreError.notFound("object x").reason, .itemNotFound)
        XCTAssertEqual(StoreError.notFound("object x").kmipError.reason, .itemNotFound)
    }
}
