import Foundation
import KMIP
import KMIPEngine
import KMIPStore
import KMIPTestSupport
import XCTest
@testable import StrongroomAPI

/// Two nodes (two registries, each with its own view of the mounts) on one PostgreSQL store: the
/// checks that span mounts hold across nodes, whatever each node has loaded.
final class ClusterMountRegistryTests: XCTestCase {
    var admin: String?
    var database: String?
    var stores: [PostgresStore] = []

    override func tearDown() async throws {
        for store in stores { try? await store.close() }
        if let admin, let database { try await TestPostgres.dropDatabase(admin: admin, url: database) }
    }

    func twoNodes() async throws -> (MountRegistry, MountRegistry) {
        guard let admin = TestPostgres.adminURL else { throw XCTSkip("no PostgreSQL test server (\(TestPostgres.urlVariable))") }
        self.admin = admin
        let url = try await TestPostgres.makeDatabase(admin: admin)
        database = url
        let keyring = Keyring.random()
        for _ in 0..<2 { stores.append(try await PostgresStore.open(.init(connectionURL: url, maxConnections: 4), keyring: keyring)) }
        return (MountRegistry(system: stores[0]), MountRegistry(system: stores[1]))
    }

    /// Each node configures a mount it enabled itself (the other node never loaded it) with the
    /// same port, at the same moment: exactly one config is kept.
    func testTwoNodesCannotGiveTwoMountsOnePort() async throws {
        let (one, two) = try await twoNodes()
        let a = try await one.enable(path: "a", type: "kmip", description: "")
        let b = try await two.enable(path: "b", type: "kmip", description: "")
        let update = MountConfigUpdate(listenAddrs: ["127.0.0.1:7011"])
        async let first: Bool = { do { _ = try await one.writeConfig(a, update: update); return true } catch { return false } }()
        async let second: Bool = { do { _ = try await two.writeConfig(b, update: update); return true } catch { return false } }()
        let outcomes = await [first, second]
        XCTAssertEqual(outcomes.filter { $0 }.count, 1, "exactly one mount got port 7011")
        let configs = try await [a.mount.config()?.listenAddrs, b.mount.config()?.listenAddrs]
        XCTAssertEqual(configs.filter { $0 == ["127.0.0.1:7011"] }.count, 1)
    }

    /// Nested paths enabled through two nodes at once: one of them is refused.
    func testTwoNodesCannotEnableNestedPaths() async throws {
        let (one, two) = try await twoNodes()
        async let outer: Bool = { do { _ = try await one.enable(path: "team", type: "kmip", description: ""); return true } catch { return false } }()
        async let inner: Bool = { do { _ = try await two.enable(path: "team/kmip", type: "kmip", description: ""); return true } catch { return false } }()
        let outcomes = await [outer, inner]
        XCTAssertEqual(outcomes.filter { $0 }.count, 1)
        let stored = try await stores[0].mounts()
        XCTAssertEqual(stored.count, 1)
    }
}
