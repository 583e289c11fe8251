import Foundation
import Logging
import XCTest
@testable import StrongroomObservability

/// A temporary directory removed after the test.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// The JSON objects of an audit file, one per line; fails the test on a line that does not parse.
func auditLines(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> [[String: Any]] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    XCTAssertTrue(text.isEmpty || text.hasSuffix("\n"), "every entry ends its line", file: file, line: line)
    return try text.split(separator: "\n").map { row in
        let object = try JSONSerialization.jsonObject(with: Data(row.utf8))
        return try XCTUnwrap(object as? [String: Any], "a JSON object per line: \(row)", file: file, line: line)
    }
}

/// The broker's warnings are expected in these tests; keep the output readable.
let quietLogger: Logger = {
    var logger = Logger(label: "test.audit")
    logger.logLevel = .critical
    return logger
}()

/// `XCTAssertThrowsError` for async bodies.
func assertThrowsAsync(_ body: () async throws -> Void, file: StaticString = #filePath, line: UInt = #line,
                       _ check: (any Error) -> Void = { _ in }) async {
    do {
        try await body()
        XCTFail("no error thrown", file: file, line: line)
    } catch {
        check(error)
    }
}
