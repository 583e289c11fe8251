import Foundation
import KMIP
import KMIPEngine
import KMIPStore
import XCTest
@testable import StrongroomAPI
import VaultFramework

final class KMIPScopeRolePathTests: XCTestCase {
    func testScopeCreateListDelete() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        let empty = await h.expect(404, .list, "kmip/scope")
        XCTAssertEqual(empty.errors, [], "Vault answers an empty LIST with 404 {\"errors\":[]}")
        await h.expect(204, .write, "kmip/scope/s2")
        await h.expect(204, .write, "kmip/scope/s1")
        let list = await h.expect(200, .list, "kmip/scope")
        XCTAssertEqual(list.keys, ["s1", "s2"])
        let dup = await h.expect(400, .write, "kmip/scope/s1")
        XCTAssertEqual(dup.errors.count, 1)
        await h.expect(400, .write, "kmip/scope/bad%name")
        await h.expect(204, .delete, "kmip/scope/s2")
        let after = await h.expect(200, .list, "kmip/scope")
        XCTAssertEqual(after.keys, ["s1"])
        await h.expect(404, .delete, "kmip/scope/absent")
    }

    func testScopeDeleteNeedsForceWhileItHoldsObjects() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await h.scopeAndRole()
        let awaited1 = await h.registry.mount(at: "kmip")
        let engine = try await XCTUnwrapAsync(awaited1)
        let awaited2 = try await engine.mount.scope("s1")
        let scope = try await XCTUnwrapAsync(awaited2)
        try await h.store.insert(ManagedObjectRecord(
            scopeID: scope.id, uniqueIdentifier: Identifiers.uniqueIdentifier(), objectType: .secretData,
            initialDate: DateTime(secondsSince1970: 1)))
        let refused = await h.expect(400, .delete, "kmip/scope/s1")
        XCTAssertTrue(refused.errors.first?.contains("force") ?? false, "\(refused.errors)")
        await h.expect(400, .delete, "kmip/scope/s1", query: [("force", "maybe")])
        await h.expect(204, .delete, "kmip/scope/s1", query: [("force", "true")])
        await h.expect(404, .list, "kmip/scope")
        let left = await h.store.locate(scopeID: scope.id, ObjectQuery())
        XCTAssertTrue(left.isEmpty, "force destroys the scope's objects")
    }

    func testRoleCreateReadReplaceAndDelete() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await h.expect(204, .write, "kmip/scope/s1")
        await h.expect(404, .list, "kmip/scope/s1/role")
        await h.expect(204, .write, "kmip/scope/s1/role/r1", ["operation_all": true])
        let awaited3 = await Self.read(h, "kmip/scope/s1/role/r1")
        var d = try XCTUnwrap(awaited3)
        XCTAssertEqual(d["operation_all"], true)
        XCTAssertEqual(d["tls_client_key_bits"], 0)
        XCTAssertEqual(d["tls_client_ttl"], 0)
        XCTAssertEqual(d["tls_client_key_type"], .null)
        XCTAssertNil(d["operation_get"])

        // An update replaces the whole set: the pseudo-op goes.
        await h.expect(204, .write, "kmip/scope/s1/role/r1", ["operation_get": true, "operation_locate": "true"])
        let awaited4 = await Self.read(h, "kmip/scope/s1/role/r1")
        d = try XCTUnwrap(awaited4)
        XCTAssertEqual(d["operation_get"], true)
        XCTAssertEqual(d["operation_locate"], true)
        XCTAssertNil(d["operation_all"])
        XCTAssertEqual(d.keys.filter { $0.hasPrefix("operation_") }.count, 2)

        await h.expect(204, .write, "kmip/scope/s1/role/r2", ["operation_none": true])
        let awaited5 = await Self.read(h, "kmip/scope/s1/role/r2")
        d = try XCTUnwrap(awaited5)
        XCTAssertEqual(d["operation_none"], true)
        let roles = await h.expect(200, .list, "kmip/scope/s1/role")
        XCTAssertEqual(roles.keys, ["r1", "r2"])

        await h.expect(204, .delete, "kmip/scope/s1/role/r2")
        let absent = await h.expect(404, .read, "kmip/scope/s1/role/r2")
        XCTAssertEqual(absent.errors, [])
        await h.expect(404, .read, "kmip/scope/nope/role/r1")
        await h.expect(404, .list, "kmip/scope/nope/role")
        await h.expect(404, .write, "kmip/scope/nope/role/r1", ["operation_all": true])
    }

    func testPseudoOperationsAreExclusive() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await h.expect(204, .write, "kmip/scope/s1")
        for body: [String: VaultValue] in [
            ["operation_all": true, "operation_get": true],
            ["operation_none": true, "operation_create": true],
            ["operation_all": true, "operation_none": true],
            ["operation_get": "yes please"],
        ] {
            await h.expect(400, .write, "kmip/scope/s1/role/r", body)
        }
        await h.expect(404, .read, "kmip/scope/s1/role/r")
        // A pseudo-op beside a false flag is fine.
        await h.expect(204, .write, "kmip/scope/s1/role/r", ["operation_all": true, "operation_get": false])
    }

    func testAllTwentySixOperationFlagsRoundTrip() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await h.expect(204, .write, "kmip/scope/s1")
        var body: [String: VaultValue] = [:]
        for (flag, _) in RoleOperationFlags.flags { body[flag] = true }
        XCTAssertEqual(body.count, 26)
        await h.expect(204, .write, "kmip/scope/s1/role/r", body)
        let awaited6 = await Self.read(h, "kmip/scope/s1/role/r")
        let d = try XCTUnwrap(awaited6)
        for (flag, _) in RoleOperationFlags.flags { XCTAssertEqual(d[flag], true, flag) }
        let role = try await h.registry.mount(at: "kmip")?.mount.role(scope: "s1", name: "r")
        XCTAssertEqual(role?.operations.count, 26)
        XCTAssertEqual(role?.allows(.rngSeed), true)
    }

    func testRoleOverridesReadBack() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await h.expect(204, .write, "kmip/scope/s1")
        await h.expect(204, .write, "kmip/scope/s1/role/r", [
            "operation_get": true, "tls_client_key_type": "rsa", "tls_client_key_bits": 2048, "tls_client_ttl": "1h",
        ])
        let awaited7 = await Self.read(h, "kmip/scope/s1/role/r")
        let d = try XCTUnwrap(awaited7)
        XCTAssertEqual(d["tls_client_key_type"], "rsa")
        XCTAssertEqual(d["tls_client_key_bits"], 2048)
        XCTAssertEqual(d["tls_client_ttl"], 3600)
        await h.expect(400, .write, "kmip/scope/s1/role/r", ["tls_client_key_type": "dsa"])
        await h.expect(400, .write, "kmip/scope/s1/role/r", ["tls_client_ttl": "forever"])
        await h.expect(400, .write, "kmip/scope/s1/role/r", ["tls_client_key_type": "ec", "tls_client_key_bits": 1000])
    }

    func testRoleUnknownFieldWarning() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await h.expect(204, .write, "kmip/scope/s1")
        let r = await h.expect(200, .write, "kmip/scope/s1/role/r", ["operation_all": true, "operation_teleport": true])
        XCTAssertEqual(r.warnings, ["Endpoint ignored these unrecognized parameters: [operation_teleport]"])
        let awaited8 = await Self.read(h, "kmip/scope/s1/role/r")
        let d = try XCTUnwrap(awaited8)
        XCTAssertEqual(d["operation_all"], true)
    }

    static func read(_ h: APIHarness, _ path: String) async -> [String: VaultValue]? {
        await h.expect(200, .read, path).data
    }
}

/// `XCTUnwrap` for values computed with `await`.
func XCTUnwrapAsync<T>(_ value: T?, file: StaticString = #filePath, line: UInt = #line) async throws -> T {
    try XCTUnwrap(value, file: file, line: line)
}
