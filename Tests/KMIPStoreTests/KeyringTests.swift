import Foundation
import XCTest
@testable import KMIPStore

final class KeyringTests: XCTestCase {
    func testSealOpenRoundTripAndAADBinding() throws {
        let k = Keyring.random()
        let aad = Keyring.objectAAD(scopeID: "abcde", uniqueIdentifier: "U1")
        XCTAssertEqual(aad, Array("abcde/U1".utf8))
        let sealed = try k.seal([1, 2, 3], aad: aad)
        XCTAssertEqual(sealed.count, 3 + 29)
        XCTAssertEqual(try k.open(sealed, aad: aad), [1, 2, 3])
        XCTAssertNotEqual(try k.seal([1, 2, 3], aad: aad), sealed, "fresh nonce per seal")
        XCTAssertThrowsError(try k.open(sealed, aad: Keyring.objectAAD(scopeID: "abcde", uniqueIdentifier: "U2")))
        XCTAssertThrowsError(try Keyring.random().open(sealed, aad: aad)) { e in
            XCTAssertTrue("\(e)".contains("wrong root key or tampered"))
        }
        var tampered = sealed
        tampered[tampered.count - 1] ^= 1
        XCTAssertThrowsError(try k.open(tampered, aad: aad))
        XCTAssertThrowsError(try k.open([1, 2], aad: aad))
    }

    func testRootKeyMustBe32Bytes() {
        XCTAssertThrowsError(try Keyring(rootKey: [UInt8](repeating: 0, count: 16)))
        XCTAssertNoThrow(try Keyring(rootKey: [UInt8](repeating: 0, count: 32)))
    }

    func testKeyFileIsCreatedWithMode0600AndReloaded() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("keyring-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("root.key").path
        XCTAssertThrowsError(try Keyring.load(keyFile: file))
        let first = try Keyring.load(keyFile: file, createIfMissing: true)
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o600)
        XCTAssertEqual(FileManager.default.contents(atPath: file)?.count, 32)
        let sealed = try first.seal([42], aad: [])
        let again = try Keyring.load(keyFile: file, createIfMissing: true)
        XCTAssertEqual(try again.open(sealed, aad: []), [42])
    }

    func testKeyFileRulesAndConcurrentCreation() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("keyring-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Many processes starting at once all end up with the one key that was written.
        let file = dir.appendingPathComponent("root.key").path
        let keyrings = try await withThrowingTaskGroup(of: Keyring.self) { group in
            for _ in 0..<16 { group.addTask { try Keyring.load(keyFile: file, createIfMissing: true) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let sealed = try keyrings[0].seal([9], aad: [])
        for k in keyrings { XCTAssertEqual(try k.open(sealed, aad: []), [9]) }
        // A key file others may read is refused.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        XCTAssertThrowsError(try Keyring.load(keyFile: file)) { XCTAssertTrue("\($0)".contains("chmod 600"), "\($0)") }
        // A link is not followed, neither to read nor to create.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        let link = dir.appendingPathComponent("link.key").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        XCTAssertThrowsError(try Keyring.load(keyFile: link))
        XCTAssertThrowsError(try Keyring.load(keyFile: link, createIfMissing: true))
        // A file of the wrong size is refused.
        let short = dir.appendingPathComponent("short.key").path
        FileManager.default.createFile(atPath: short, contents: Data([1, 2, 3]), attributes: [.posixPermissions: 0o600])
        XCTAssertThrowsError(try Keyring.load(keyFile: short))
    }

    func testRootKeyFromEnvironment() throws {
        let raw = [UInt8](repeating: 5, count: 32)
        let env = [Keyring.environmentVariable: Data(raw).base64EncodedString()]
        let k = try Keyring.fromEnvironment(environment: env)
        let direct = try Keyring(rootKey: raw)
        XCTAssertEqual(try direct.open(try k.seal([7], aad: [1]), aad: [1]), [7])
        XCTAssertThrowsError(try Keyring.fromEnvironment(environment: [:]))
        XCTAssertThrowsError(try Keyring.fromEnvironment(environment: [Keyring.environmentVariable: "***"]))
        // 64 hex characters, as the docs say (`openssl rand -hex 32`).
        let hex = raw.map { String(format: "%02x", $0) }.joined()
        let fromHex = try Keyring.fromEnvironment(environment: [Keyring.environmentVariable: hex + "\n"])
        XCTAssertEqual(try direct.open(try fromHex.seal([8], aad: [2]), aad: [2]), [8])
        for bad in [String(hex.dropLast()), "+" + String(hex.dropFirst()), Data(raw.prefix(16)).base64EncodedString()] {
            XCTAssertThrowsError(try Keyring.fromEnvironment(environment: [Keyring.environmentVariable: bad])) {
                XCTAssertTrue("\($0)".contains("64 hex characters"), "\($0)")
            }
        }
    }

    func testIdentifierCharactersAreEvenlySpread() {
        var counts: [UInt8: Int] = [:]
        for _ in 0..<2_000 { for c in Identifiers.uniqueIdentifier().utf8 { counts[c, default: 0] += 1 } }
        XCTAssertEqual(counts.count, 62, "every base62 character occurs")
        // 64,000 characters: about 1,032 each; a biased or repeating source falls far outside.
        XCTAssertTrue(counts.values.allSatisfy { (850...1_220).contains($0) }, "\(counts.values.sorted())")
        XCTAssertEqual(Set((0..<1_000).map { _ in Identifiers.uniqueIdentifier() }).count, 1_000)
    }

    func testIdentifiers() {
        let ids = (0..<100).map { _ in Identifiers.uniqueIdentifier() }
        XCTAssertTrue(ids.allSatisfy { Identifiers.isBase62($0, count: 32) })
        XCTAssertEqual(Set(ids).count, 100)
        XCTAssertTrue(Identifiers.isBase62(Identifiers.shortID(), count: 5))
        XCTAssertFalse(Identifiers.isBase62("abc-e", count: 5))
    }
}
