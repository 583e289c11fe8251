import XCTest
@testable import StrongroomCLI
final class StrongroomCLIPlaceholderTests: XCTestCase {}
