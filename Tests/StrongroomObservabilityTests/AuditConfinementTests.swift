import Foundation
import KMIP
import KMIPEngine
import KMIPStore
import XCTest
@testable import StrongroomObservability

/// Audit devices enabled through the API cannot reach the host (the class of Vault's
/// CVE-2025-6000): only inside the audit directory, never through a link, never a file of someone
/// else, never executable, no chosen line prefix; the victim file stays as it was.
final class AuditConfinementTests: XCTestCase {
    let event = KMIPRequestEvent(time: Date(), connection: 1, clientSerial: "1", scopeID: "Scp01", roleID: "Rol01",
                                 roleName: "admin", protocolVersion: .v1_4, operation: .get, batchIndex: 0,
                                 uniqueIdentifiers: ["uid"], resultStatus: .success, resultReason: nil, duration: .milliseconds(1))

    func device(_ options: [String: String], path: String = "x") -> AuditDeviceRecord {
        AuditDeviceRecord(path: path, type: "file", description: "", options: options)
    }

    /// A victim outside the audit directory, with content and mode to compare afterwards.
    struct Victim {
        let path: String
        let content = "ssh-ed25519 AAAA owner@host\n"
        init(_ dir: TemporaryDirectory) throws {
            path = dir.path("authorized_keys")
            try Data(content.utf8).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o644)
        }
        func assertUnchanged(file: StaticString = #filePath, line: UInt = #line) throws {
            XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), content, file: file, line: line)
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            XCTAssertEqual(mode, 0o644, "the victim's mode is untouched", file: file, line: line)
        }
    }

    func refused(_ broker: AuditBroker, _ options: [String: String], _ fragment: String,
                 file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try broker.enable(device(options), origin: .api), file: file, line: line) { error in
            let message = (error as? AuditError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains(fragment), "\(message) should say \(fragment)", file: file, line: line)
        }
        XCTAssertTrue(broker.devices().isEmpty, file: file, line: line)
    }

    func testAnArbitraryPathIsRefused() throws {
        let outside = try TemporaryDirectory()
        let audit = try TemporaryDirectory()
        let victim = try Victim(outside)
        let broker = AuditBroker(logger: quietLogger, rules: AuditRules(directory: audit.url.path, allowAPIDevices: true))
        refused(broker, ["file_path": victim.path], "directly inside the audit directory")
        refused(broker, ["file_path": audit.path("../\(outside.url.lastPathComponent)/authorized_keys")], "directly inside")
        refused(broker, ["file_path": audit.path("sub/file.log")], "directly inside")
        refused(broker, ["file_path": audit.path(".hidden")], "directly inside")
        try victim.assertUnchanged()
    }

    func testALinkPlacedInTheDirectoryIsNotFollowed() throws {
        let outside = try TemporaryDirectory()
        let audit = try TemporaryDirectory()
        let victim = try Victim(outside)
        try FileManager.default.createSymbolicLink(atPath: audit.path("audit.log"), withDestinationPath: victim.path)
        link(victim.path, audit.path("hard.log"))
        let broker = AuditBroker(logger: quietLogger, rules: AuditRules(directory: audit.url.path, allowAPIDevices: true))
        refused(broker, ["file_path": audit.path("audit.log")], "symbolic link")
        refused(broker, ["file_path": audit.path("hard.log")], "hard links")
        try victim.assertUnchanged()
    }

    func testAPrefixWithANewlineAndAnExecutableModeAreRefused() async throws {
        let audit = try TemporaryDirectory()
        let noPrefix = AuditBroker(logger: quietLogger, rules: AuditRules(directory: audit.url.path, allowAPIDevices: true))
        refused(noPrefix, ["file_path": audit.path("a.log"), "prefix": "ok "], "allow_audit_log_prefixing")
        let prefixing = AuditBroker(logger: quietLogger,
                                    rules: AuditRules(directory: audit.url.path, allowAPIDevices: true, allowPrefix: true))
        refused(prefixing, ["file_path": audit.path("a.log"), "prefix": "ssh-ed25519 AAAA attacker\n"], "control characters")
        refused(prefixing, ["file_path": audit.path("a.log"), "prefix": "x\u{2028}y"], "control characters")
        refused(prefixing, ["file_path": audit.path("a.log"), "mode": "0755"], "execute bit")
        refused(prefixing, ["file_path": "stdout", "mode": "0700"], "execute bit")
        refused(prefixing, ["file_path": audit.path("a.log"), "mode": "0666"], "lets others write")
        refused(prefixing, ["file_path": audit.path("a.log"), "prefix": "x\u{85}y"], "control characters")
        refused(prefixing, ["file_path": audit.path("a.log"), "prefix": "x\u{202E}y"], "control characters")
        XCTAssertFalse(FileManager.default.fileExists(atPath: audit.path("a.log")), "nothing was created")
        // A plain prefix is fine where the config allows it.
        try prefixing.enable(device(["file_path": audit.path("a.log"), "prefix": "strongroom: "]), origin: .api)
        try await prefixing.log(.kmip(event))
        await prefixing.flush()
        XCTAssertTrue(try String(contentsOfFile: audit.path("a.log"), encoding: .utf8).hasPrefix("strongroom: {"))
    }

    func testNewFilesAreCreatedExclusivelyAndExistingOnesNeverChmodded() async throws {
        let audit = try TemporaryDirectory()
        let broker = AuditBroker(logger: quietLogger, rules: AuditRules(directory: audit.url.path, allowAPIDevices: true))
        try broker.enable(device(["file_path": audit.path("new.log"), "mode": "0640"], path: "new"), origin: .api)
        try Data("kept\n".utf8).write(to: URL(fileURLWithPath: audit.path("old.log")))
        chmod(audit.path("old.log"), 0o644)
        try broker.enable(device(["file_path": audit.path("old.log"), "mode": "0600"], path: "old"), origin: .api)
        try await broker.log(.kmip(event))
        await broker.flush()
        func mode(_ name: String) throws -> Int? {
            try FileManager.default.attributesOfItem(atPath: audit.path(name))[.posixPermissions] as? Int
        }
        XCTAssertEqual(try mode("new.log"), 0o640)
        XCTAssertEqual(try mode("old.log"), 0o644, "an existing file keeps its mode")
        XCTAssertTrue(try String(contentsOfFile: audit.path("old.log"), encoding: .utf8).hasPrefix("kept\n{"))
        try broker.enable(device(["file_path": "discard"], path: "d"), origin: .api)
        try broker.enable(device(["file_path": "stdout"], path: "s"), origin: .api)
    }

    /// The directory itself is trusted only when it is the server's own, writable by it alone,
    /// and not a link.
    func testAnAuditDirectoryOthersCanWriteOrALinkedOneIsRefused() throws {
        let audit = try TemporaryDirectory()
        chmod(audit.url.path, 0o777)
        let open = AuditBroker(logger: quietLogger, rules: AuditRules(directory: audit.url.path, allowAPIDevices: true))
        refused(open, ["file_path": audit.path("a.log")], "writable by it alone")
        chmod(audit.url.path, 0o700)
        let elsewhere = try TemporaryDirectory()
        let link = elsewhere.path("audit")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: audit.url.path)
        let linked = AuditBroker(logger: quietLogger, rules: AuditRules(directory: link, allowAPIDevices: true))
        refused(linked, ["file_path": link + "/a.log"], "audit directory")
        XCTAssertFalse(FileManager.default.fileExists(atPath: audit.path("a.log")))
    }

    func testAPIDevicesNeedTheConfigsPermissionAndCannotRemoveDeclaredOnes() throws {
        let audit = try TemporaryDirectory()
        let closed = AuditBroker(logger: quietLogger, rules: AuditRules(directory: audit.url.path))
        refused(closed, ["file_path": "discard"], "allow_api_devices")
        let noDirectory = AuditBroker(logger: quietLogger, rules: AuditRules(allowAPIDevices: true))
        refused(noDirectory, ["file_path": audit.path("a.log")], "no audit directory")
        // Declared by the operator: any path, and the API cannot disable it.
        try closed.enable(device(["file_path": audit.path("declared.log")], path: "declared"))
        XCTAssertThrowsError(try closed.disable(path: "declared", origin: .api)) {
            XCTAssertTrue(($0 as? AuditError)?.message.contains("config file") == true)
        }
        XCTAssertTrue(closed.isDeclared(path: "declared/"))
        try closed.disable(path: "declared")
        XCTAssertTrue(closed.devices().isEmpty)
    }
}
