import Foundation
import KMIPSpecGenCore
import XCTest
@testable import KMIP

final class SpecTablesTests: XCTestCase {
    /// The committed generated sources are what the generator makes from ../shared/kmip-spec now.
    func testGeneratedFilesAreFresh() throws {
        let registry = try SharedData.require("kmip-spec")
        let generated = try SpecGenerator(registryDirectory: registry).files()
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/KMIP/Spec/Generated")
        XCTAssertEqual(generated.count, 3)
        for (name, text) in generated {
            let committed = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            XCTAssertTrue(committed == text, "\(name) is stale: run `swift run KMIPSpecGen`")
        }
    }

    func testTagsAndEnumerations() {
        XCTAssertEqual(Tag.uniqueIdentifier.rawValue, 0x420094)
        XCTAssertEqual(Tag.requestMessage.xmlName, "RequestMessage")
        XCTAssertEqual(Tag(xmlName: "BatchCount"), .batchCount)
        XCTAssertEqual(Tag.serverCorrelationValue.definition?.since, .v1_4)
        XCTAssertEqual(ObjectType.symmetricKey.rawValue, 2)
        XCTAssertEqual(ObjectType.symmetricKey.description, "SymmetricKey")
        XCTAssertEqual(CryptographicAlgorithm.tripleDES.rawValue, 2)
        XCTAssertEqual(Tag.maskGeneratorHashingAlgorithm.definition?.enumeration?.xmlName, "HashingAlgorithm")
        XCTAssertTrue(ResultReason(rawValue: 0x8000_0001).isDefined, "extension values are accepted")
        XCTAssertFalse(ResultReason(rawValue: 0x7FFF).isDefined)
        let usage: CryptographicUsageMask = [.encrypt, .decrypt]
        XCTAssertEqual(usage.rawValue, 12)
        XCTAssertEqual(usage.description, "Encrypt Decrypt")
        XCTAssertEqual(CryptographicUsageMask.definition.parseMask("Decrypt   Encrypt"), 12)
        // Every version's counts from the registry README: 1.4 has 292 tags.
        XCTAssertEqual(SpecTables.tags.filter { $0.since <= .v1_4 }.count, 292)
        XCTAssertEqual(SpecTables.tags.filter { $0.since <= .v1_0 }.count, 161)
    }
}
