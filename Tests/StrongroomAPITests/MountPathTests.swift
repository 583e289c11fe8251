import Foundation
import KMIPEngine
import KMIPStore
import KMIPTestSupport
import XCTest
@testable import StrongroomAPI

final class MountPathTests: XCTestCase {
    func testEnableListReadAndDisable() async throws {
        let h = try await APIHarness.make()
        await h.expect(204, .write, "sys/mounts/kmip", ["type": "kmip", "description": "keys",
                                                        "config": ["default_lease_ttl": "0"], "local": false, "seal_wrap": false])
        let list = await h.expect(200, .read, "sys/mounts")
        let entry = try XCTUnwrap(list.data?["kmip/"])
        XCTAssertEqual(entry["type"], "kmip")
        XCTAssertEqual(entry["description"], "keys")
        XCTAssertTrue(entry["accessor"]?.stringValue?.hasPrefix("kmip_") ?? false)
        XCTAssertNotNil(entry["config"]?.objectValue)
        XCTAssertEqual(entry["local"], false)
        XCTAssertEqual(entry["seal_wrap"], false)
        guard case .envelope(_, _, let top) = list.body else { return XCTFail("envelope expected") }
        XCTAssertEqual(top["kmip/"], entry, "Vault repeats the mounts at the top level")

        let one = await h.expect(200, .read, "sys/mounts/kmip")
        XCTAssertEqual(one.data?["type"], "kmip")
        let events = await h.runtime.events
        XCTAssertEqual(events, [.enabled("kmip/")])

        await h.expect(204, .write, "kmip/scope/s1")
        await h.expect(204, .delete, "sys/mounts/kmip")
        let after = await h.runtime.events
        XCTAssertEqual(after.last, .disabled("kmip/"))
        let gone = await h.expect(404, .read, "kmip/config")
        XCTAssertEqual(gone.errors.first?.contains("no handler for route"), true)
        let mounts = try await h.store.mounts()
        XCTAssertTrue(mounts.isEmpty)
        // Re-enabled at the same path it starts empty: disabling removed all the mount's data.
        await h.expect(204, .write, "sys/mounts/kmip", ["type": "kmip"])
        await h.expect(404, .list, "kmip/scope")
        // Disabling a path with no mount is a no-op, as in Vault.
        await h.expect(204, .delete, "sys/mounts/nothing")
    }

    func testEnableErrorsLikeVault() async throws {
        let h = try await APIHarness.make()
        let foreign = await h.expect(400, .write, "sys/mounts/kv", ["type": "kv"])
        XCTAssertEqual(foreign.errors, ["plugin not found in the catalog: kv"])
        await h.expect(204, .write, "sys/mounts/kmip", ["type": "kmip"])
        let taken = await h.expect(400, .write, "sys/mounts/kmip", ["type": "kmip"])
        XCTAssertEqual(taken.errors, ["path is already in use at kmip/"])
        let nested = await h.expect(400, .write, "sys/mounts/kmip/inner", ["type": "kmip"])
        XCTAssertEqual(nested.errors, ["path is already in use at kmip/"])
        await h.expect(400, .write, "sys/mounts/sys/x", ["type": "kmip"])
        await h.expect(400, .write, "sys/mounts/auth/x", ["type": "kmip"])
        await h.expect(400, .write, "sys/mounts/other", [:])
    }

    func testMountsAtSeveralPathsRouteToTheirOwnEngine() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount("kmip", config: ["listen_addrs": "127.0.0.1:5696"])
        try await h.kmipMount("team/kmip", config: ["listen_addrs": "127.0.0.1:5697"])
        try await h.kmipMount("kmip2", config: nil)
        await h.expect(204, .write, "team/kmip/scope/t1")
        await h.expect(204, .write, "kmip/scope/k1")
        let team = await h.expect(200, .list, "team/kmip/scope")
        XCTAssertEqual(team.keys, ["t1"])
        let main = await h.expect(200, .list, "kmip/scope")
        XCTAssertEqual(main.keys, ["k1"])
        await h.expect(404, .list, "kmip2/scope")
        let caA = await h.expect(200, .read, "kmip/ca")
        let caB = await h.expect(200, .read, "team/kmip/ca")
        XCTAssertNotEqual(caA.string("ca_pem"), caB.string("ca_pem"), "each mount has its own CA")
        await h.expect(400, .read, "kmip2/ca")
        let ui = await h.expect(200, .read, "sys/internal/ui/mounts/team/kmip/scope/t1")
        XCTAssertEqual(ui.string("path"), "team/kmip/")
        XCTAssertEqual(ui.string("type"), "kmip")
    }

    func testRegistryReloadsStoredMountsAtStart() async throws {
        let store = InMemoryStore()
        let first = try await APIHarness.make(store: store)
        try await first.kmipMount("a")
        try await first.kmipMount("b/c", config: ["listen_addrs": "127.0.0.1:7000"])
        let again = try await APIHarness.make(store: store)
        XCTAssertEqual(again.root, "", "the root token exists already")
        let events = await again.runtime.events
        XCTAssertEqual(events, [.enabled("a/"), .enabled("b/c/")])
        let resolved = await again.registry.resolve("b/c/config")
        XCTAssertEqual(resolved?.0.entry.path, "b/c/")
        XCTAssertEqual(resolved?.rest, "config")
    }

    func testRuntimeHearsConfigWritesWithOldAndNewConfig() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount("kmip", config: nil)
        await h.expect(204, .write, "kmip/config", [:])
        await h.expect(204, .write, "kmip/config", ["listen_addrs": ["127.0.0.1:6000"]])
        let events = await h.runtime.events
        XCTAssertEqual(events, [
            .enabled("kmip/"),
            .configWritten("kmip/", oldListen: nil, newListen: ["127.0.0.1:5696"]),
            .configWritten("kmip/", oldListen: ["127.0.0.1:5696"], newListen: ["127.0.0.1:6000"]),
        ])
    }

    func testRuntimeFailuresSurface() async throws {
        let h = try await APIHarness.make()
        await h.runtime.setFailNext()
        let refused = await h.expect(500, .write, "sys/mounts/kmip", ["type": "kmip"])
        XCTAssertTrue(refused.errors.first?.contains("address already in use") ?? false)
        let mounts = try await h.store.mounts()
        XCTAssertTrue(mounts.isEmpty, "a mount that cannot be served is not enabled")
        try await h.kmipMount("kmip", config: nil)
        await h.runtime.setFailNext()
        // A first config whose listener cannot start is kept (the CA exists now) and said so.
        let config = await h.expect(400, .write, "kmip/config", [:])
        XCTAssertTrue(config.errors.first?.contains("listener") ?? false)
        // A later config whose listener cannot start is not kept: the previous one serves again.
        await h.expect(204, .write, "kmip/config", ["listen_addrs": "127.0.0.1:7000"])
        await h.runtime.setFailNext()
        let moved = await h.expect(400, .write, "kmip/config", ["listen_addrs": "127.0.0.1:7001"])
        XCTAssertTrue(moved.errors.first?.contains("not kept") ?? false, "\(moved.errors)")
        let kept = await h.expect(200, .read, "kmip/config")
        XCTAssertEqual(kept.data?["listen_addrs"], .list([.string("127.0.0.1:7000")]))
    }

    func testTwoMountsCannotShareAListenPort() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount("kmip", config: ["listen_addrs": "127.0.0.1:5696,127.0.0.1:5800"])
        try await h.kmipMount("other", config: nil)
        let clash = await h.expect(400, .write, "other/config", ["listen_addrs": "0.0.0.0:5800"])
        XCTAssertTrue(clash.errors.first?.contains("kmip/") ?? false, "\(clash.errors)")
        XCTAssertTrue(clash.errors.first?.contains("5800") ?? false)
        // Nothing was stored for the refused write.
        await h.expect(404, .read, "other/config")
        // The default port is taken by kmip/ too.
        await h.expect(400, .write, "other/config", [:])
        await h.expect(204, .write, "other/config", ["listen_addrs": "127.0.0.1:5900"])
        // A mount may rewrite its own ports.
        await h.expect(204, .write, "kmip/config", ["listen_addrs": "127.0.0.1:5696"])
    }
}
