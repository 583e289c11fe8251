import Foundation
import KMIP
import KMIPEngine
import KMIPStore
import MetricsTestKit
import XCTest
@testable import StrongroomObservability

final class AuditBrokerTests: XCTestCase {
    func record(_ options: [String: String], path: String = "file", type: String = "file") -> AuditDeviceRecord {
        AuditDeviceRecord(path: path, type: type, description: "test", options: options)
    }

    func kmipEvent(result: ResultStatus? = nil) -> KMIPRequestEvent {
        KMIPRequestEvent(time: Date(timeIntervalSince1970: 1_800_000_000.25), connection: 9, clientSerial: "4242",
                         scopeID: "Scp01", roleID: "Rol01", roleName: "admin", protocolVersion: .v1_2,
                         operation: .get, batchIndex: 0, uniqueIdentifiers: ["uid-1"], resultStatus: result,
                         resultReason: result == .operationFailed ? .itemNotFound : nil,
                         duration: result == nil ? nil : .milliseconds(3))
    }

    func testEntriesAreJSONLinesWithTheRequiredFields() async throws {
        let dir = try TemporaryDirectory()
        let observability = Observability(logger: quietLogger)
        let stored = try observability.audit.enable(record(["file_path": dir.path("audit.log")]))
        XCTAssertEqual(stored.path, "file/")

        let auth = AuditEntry.Auth(accessor: "acc-1", displayName: "token-ops", policies: ["default", "kmip"])
        try await observability.logAPIRequest(id: "req-1", operation: "update", path: "kmip/scope/finance",
                                        remoteAddress: "10.0.0.1", auth: auth)
        try await observability.logAPIResponse(id: "req-1", operation: "update", path: "kmip/scope/finance",
                                         remoteAddress: "10.0.0.1", auth: auth, status: 400, error: "scope \"x\" exists")
        try await observability.audit.log(.kmip(kmipEvent()))
        try await observability.audit.log(.kmip(kmipEvent(result: .operationFailed)))
        await observability.audit.flush()

        let lines = try auditLines(dir.path("audit.log"))
        XCTAssertEqual(lines.map { $0["type"] as? String }, ["request", "response", "kmip_request", "kmip_response"])
        for line in lines {
            let time = try XCTUnwrap(line["time"] as? String)
            XCTAssertNotNil(ISO8601DateFormatter.withFractionalSeconds.date(from: time), time)
        }
        let auditAuth = try XCTUnwrap(lines[0]["auth"] as? [String: Any])
        XCTAssertEqual(auditAuth["accessor"] as? String, "acc-1")
        XCTAssertEqual(auditAuth["display_name"] as? String, "token-ops")
        XCTAssertEqual(auditAuth["policies"] as? [String], ["default", "kmip"])
        let request = try XCTUnwrap(lines[0]["request"] as? [String: Any])
        XCTAssertEqual(request["id"] as? String, "req-1")
        XCTAssertEqual(request["operation"] as? String, "update")
        XCTAssertEqual(request["path"] as? String, "kmip/scope/finance")
        XCTAssertEqual(request["remote_address"] as? String, "10.0.0.1")
        XCTAssertNil(lines[0]["response"])
        XCTAssertEqual((lines[1]["response"] as? [String: Any])?["status"] as? Int, 400)
        XCTAssertEqual(lines[1]["error"] as? String, "scope \"x\" exists", "quotes survive JSON escaping")

        XCTAssertEqual(lines[2]["time"] as? String, "2027-01-15T08:00:00.250000Z")
        let kmipRequest = try XCTUnwrap(lines[2]["kmip"] as? [String: Any])
        XCTAssertEqual(kmipRequest["operation"] as? String, "Get")
        XCTAssertEqual(kmipRequest["scope"] as? String, "Scp01")
        XCTAssertEqual(kmipRequest["role"] as? String, "admin")
        XCTAssertEqual(kmipRequest["serial"] as? String, "4242")
        XCTAssertEqual(kmipRequest["unique_identifiers"] as? [String], ["uid-1"])
        XCTAssertEqual(kmipRequest["protocol_version"] as? String, "1.2")
        XCTAssertNil(kmipRequest["result_status"], "a request entry has no outcome yet")
        XCTAssertNil(kmipRequest["mount"], "no mount unless the observer names one")
        XCTAssertEqual(lines[2]["connection"] as? Int, 9)
        let kmipResponse = try XCTUnwrap(lines[3]["kmip"] as? [String: Any])
        XCTAssertEqual(kmipResponse["result_status"] as? String, "OperationFailed")
        XCTAssertEqual(kmipResponse["result_reason"] as? String, "ItemNotFound")
        XCTAssertEqual(try XCTUnwrap(kmipResponse["duration_ms"] as? Double), 3, accuracy: 0.001)
    }

    /// Client-chosen identifiers cannot make one entry large: few, and each short.
    func testClientIdentifiersAreBoundedInEntries() throws {
        var event = kmipEvent(result: .success)
        event.uniqueIdentifiers = [String(repeating: "é", count: 10_000)] + (0..<1_000).map { "uid-\($0)" }
        let entry = AuditEntry.kmip(event)
        let ids = try XCTUnwrap(entry.kmip?.uniqueIdentifiers)
        XCTAssertEqual(ids.count, AuditEntry.maxIdentifiers + 1)
        XCTAssertLessThanOrEqual(ids[0].utf8.count, AuditEntry.maxIdentifierBytes)
        XCTAssertTrue(ids[0].hasSuffix("…"))
        XCTAssertEqual(ids.last, "… \(1_001 - AuditEntry.maxIdentifiers) more")
        XCTAssertLessThan(entry.jsonLine().utf8.count, 8_192)
    }

    func testNewFileGetsMode0600AndTheModeOptionIsHonoured() async throws {
        let dir = try TemporaryDirectory()
        let broker = AuditBroker(logger: quietLogger)
        try broker.enable(record(["file_path": dir.path("a.log")], path: "a"))
        try broker.enable(record(["file_path": dir.path("b.log"), "mode": "0640"], path: "b"))
        try await broker.log(.kmip(kmipEvent()))
        await broker.flush()
        func mode(_ name: String) throws -> Int {
            try XCTUnwrap(FileManager.default.attributesOfItem(atPath: dir.path(name))[.posixPermissions] as? Int)
        }
        XCTAssertEqual(try mode("a.log"), 0o600)
        XCTAssertEqual(try mode("b.log"), 0o640)
    }

    func testEntriesAppendToAnExistingFile() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("audit.log")
        try Data("earlier\n".utf8).write(to: URL(fileURLWithPath: path))
        let broker = AuditBroker(logger: quietLogger)
        try broker.enable(record(["file_path": path]))
        try await broker.log(.kmip(kmipEvent()))
        await broker.flush()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("earlier\n{"), text)
    }

    func testDevicesDisableAndDuplicates() async throws {
        let dir = try TemporaryDirectory()
        let broker = AuditBroker(logger: quietLogger)
        XCTAssertFalse(broker.isEnabled)
        try broker.enable(record(["file_path": dir.path("a.log")], path: "/file/"))
        XCTAssertThrowsError(try broker.enable(record(["file_path": dir.path("b.log")], path: "file"))) {
            XCTAssertEqual(($0 as? AuditError)?.kind, .duplicate)
        }
        try broker.enable(record(["file_path": "discard"], path: "nowhere"))
        XCTAssertEqual(broker.devices().map(\.path), ["file/", "nowhere/"])
        try broker.disable(path: "file")
        XCTAssertEqual(broker.devices().map(\.path), ["nowhere/"])
        XCTAssertThrowsError(try broker.disable(path: "file/")) { XCTAssertEqual(($0 as? AuditError)?.kind, .notFound) }
        // A disabled device gets no more lines.
        try await broker.log(.kmip(kmipEvent()))
        await broker.flush()
        XCTAssertEqual(try String(contentsOfFile: dir.path("a.log"), encoding: .utf8), "")
    }

    func testOptionValidation() throws {
        func refused(_ options: [String: String], type: String = "file", _ text: String,
                     file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try AuditBroker(logger: quietLogger).enable(record(options, type: type)), file: file, line: line) { error in
                XCTAssertEqual((error as? AuditError)?.kind, .invalidOption, file: file, line: line)
                XCTAssertTrue("\(error)".contains(text), "\(error)", file: file, line: line)
            }
        }
        refused([:], "file_path is required")
        refused(["file_path": ""], "file_path is required")
        refused(["file_path": "relative/audit.log"], "absolute")
        refused(["file_path": "/var/log/"], "must name a file")
        refused(["file_path": "stdout", "fail_closed": "maybe"], "fail_closed must be true or false")
        refused(["file_path": "stdout", "mode": "0999"], "mode")
        refused(["file_path": "stdout", "mode": "rw"], "mode")
        refused(["file_path": "stdout", "mode": "01777"], "mode")
        refused(["file_path": "stdout", "log_raw": "true"], "log_raw is not supported")
        refused(["file_path": "stdout", "format": "jsonx"], "format")
        refused(["file_path": "stdout", "hmac_accessor": "false"], "unknown audit option \"hmac_accessor\"")
        refused(["file_path": "stdout"], type: "socket", "type \"socket\" is not supported")

        let ok = try AuditDeviceOptions(record(["file_path": "stdout", "log_raw": "false", "fail_closed": "true", "mode": "640"]))
        XCTAssertEqual(ok.destination, .stdout)
        XCTAssertTrue(ok.failClosed)
        XCTAssertEqual(ok.mode, 0o640)
        let defaults = try AuditDeviceOptions(record(["file_path": "/tmp/x.log"]))
        XCTAssertEqual(defaults.destination, .file("/tmp/x.log"))
        XCTAssertFalse(defaults.failClosed)
        XCTAssertEqual(defaults.mode, 0o600)
    }

    func testFileThatCannotBeOpenedIsRefusedAtEnable() throws {
        let dir = try TemporaryDirectory()
        XCTAssertThrowsError(try AuditBroker(logger: quietLogger).enable(record(["file_path": dir.path("missing/dir/audit.log")]))) {
            XCTAssertEqual(($0 as? AuditError)?.kind, .unavailable)
        }
    }

    func testFailClosedDeviceThatCannotWriteMakesLogThrow() async throws {
        let metrics = TestMetrics()
        let observability = Observability(logger: quietLogger, metrics: metrics)
        // /dev/full opens but every write fails with ENOSPC.
        try observability.audit.enable(record(["file_path": "/dev/full", "fail_closed": "true"], path: "full"))
        await assertThrowsAsync({ try await observability.audit.log(.kmip(kmipEvent())) }) {
            XCTAssertEqual(($0 as? AuditError)?.kind, .unavailable)
        }
        await assertThrowsAsync { try await observability.logAPIRequest(id: "1", operation: "read", path: "sys/health",
                                                                         remoteAddress: nil, auth: nil) }
        XCTAssertEqual(metrics.counterTotal(label: "audit_log_failures_total", dimensions: [("device", "full/")]), 2)
    }

    func testFailClosedDeviceRestoredAtStartupKeepsRefusing() async throws {
        let dir = try TemporaryDirectory()
        let broker = AuditBroker(logger: quietLogger)
        let errors = broker.restore([record(["file_path": dir.path("gone/audit.log"), "fail_closed": "true"])])
        XCTAssertEqual(errors.map(\.kind), [.unavailable])
        XCTAssertEqual(broker.devices().map(\.path), ["file/"])
        await assertThrowsAsync { try await broker.log(.kmip(kmipEvent())) }
        // Once the directory exists the device recovers by itself.
        try FileManager.default.createDirectory(atPath: dir.path("gone"), withIntermediateDirectories: true)
        try await broker.log(.kmip(kmipEvent()))
        XCTAssertEqual(try auditLines(dir.path("gone/audit.log")).count, 1)
    }

    func testFailOpenDeviceOnlyCountsTheFailure() async throws {
        let dir = try TemporaryDirectory()
        let metrics = TestMetrics()
        let observability = Observability(logger: quietLogger, metrics: metrics)
        try observability.audit.enable(record(["file_path": "/dev/full"], path: "full"))
        try observability.audit.enable(record(["file_path": dir.path("ok.log")], path: "ok"))
        try await observability.audit.log(.kmip(kmipEvent()))
        try await observability.audit.log(.kmip(kmipEvent()))
        await observability.audit.flush()
        XCTAssertEqual(metrics.counterTotal(label: "audit_log_failures_total", dimensions: [("device", "full/")]), 2)
        XCTAssertEqual(metrics.counterTotal(label: "audit_log_failures_total", dimensions: [("device", "ok/")]), 0)
        XCTAssertEqual(try auditLines(dir.path("ok.log")).count, 2, "the healthy device still gets every entry")
    }

    /// Entries logged at once are written in batches by the broker's thread: every one, whole,
    /// one per line, on every device.
    func testConcurrentEntriesAreWrittenWholeAndNoneIsLost() async throws {
        let dir = try TemporaryDirectory()
        let broker = AuditBroker(logger: quietLogger)
        try broker.enable(record(["file_path": dir.path("a.log")], path: "a"))
        try broker.enable(record(["file_path": dir.path("b.log"), "fail_closed": "true"], path: "b"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<500 {
                group.addTask { try await broker.log(.api(.request, id: "req-\(i)", operation: "read", path: "p", remoteAddress: nil, auth: nil)) }
            }
            try await group.waitForAll()
        }
        // b is fail-closed, so every log returned after its line was written; a may still be queued.
        XCTAssertEqual(try auditLines(dir.path("b.log")).count, 500)
        await broker.flush()
        for name in ["a.log", "b.log"] {
            let ids = try auditLines(dir.path(name)).compactMap { ($0["request"] as? [String: Any])?["id"] as? String }
            XCTAssertEqual(Set(ids), Set((0..<500).map { "req-\($0)" }), name)
        }
    }

    func testPrefixIsWrittenBeforeEachLine() async throws {
        let dir = try TemporaryDirectory()
        let broker = AuditBroker(logger: quietLogger, rules: AuditRules(allowPrefix: true))
        try broker.enable(record(["file_path": dir.path("p.log"), "prefix": "@cee: "]))
        try await broker.log(.kmip(kmipEvent()))
        await broker.flush()
        let text = try String(contentsOfFile: dir.path("p.log"), encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("@cee: {\"time\":"), text)
    }

    func testJSONStringEscaping() throws {
        let entry = AuditEntry.api(.response, id: "x", operation: "read", path: "a\"b\\c\nd\u{1}\u{2028}",
                                   remoteAddress: nil, auth: nil, status: 200)
        let line = entry.jsonLine()
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1, "a control character never breaks the line")
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        XCTAssertEqual((parsed?["request"] as? [String: Any])?["path"] as? String, "a\"b\\c\nd\u{1}\u{2028}")
    }
}

extension ISO8601DateFormatter {
    static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
