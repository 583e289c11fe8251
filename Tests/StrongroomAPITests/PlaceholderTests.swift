import XCTest
@testable import StrongroomAPI
final class StrongroomAPIPlaceholderTests: XCTestCase {}
