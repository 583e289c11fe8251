import Foundation
import KMIP
import KMIPStore
import Logging
import ServiceLifecycle
import StrongroomAPI
import StrongroomObservability

/// Keeps one node of a cluster in line with the database the nodes share: it follows the store's
/// change feed (PostgreSQL LISTEN/NOTIFY) and, as a fallback for a lost notification, re-reads
/// everything every ``interval``:
/// - mounts and their configs: a mount enabled, disabled or reconfigured through any node is
///   served, stopped or restarted here (``MountRegistry/reconcile()``);
/// - scopes, roles and credentials: every mount's ``CredentialDirectory`` forgets its answers, so a
///   revoked credential is refused at once, on open connections too (without a notification, its
///   one-second reuse limit still bounds the delay);
/// - audit devices enabled or disabled through the API of another node;
/// - this node's heartbeat row (`sys/ha-status`).
/// Tokens and policies need nothing: the API reads them from the store on every request.
struct ClusterSync: Service {
    static let interval: Duration = .seconds(2)

    let registry: MountRegistry
    let audit: AuditBroker
    let store: any SystemStore
    let feed: (any ChangeFeed)?
    let nodes: (any NodeStore)?
    let node: NodeRecord
    let logger: Logger

    func run() async throws {
        await withDiscardingTaskGroup { group in
            if let feed {
                group.addTask { await feed.followChanges { table in await self.changed(table) } }
            }
            group.addTask {
                while !Task.isCancelled {
                    await self.changed("*")
                    await self.heartbeat()
                    try? await Task.sleep(for: Self.interval)
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }

    /// What to re-read after a change to `table` (`*`: anything may have changed).
    func changed(_ table: String) async {
        let all = table == "*"
        if all || ["scopes", "roles", "credentials"].contains(table) {
            for engine in await registry.all() { engine.mount.directory.invalidateAll() }
        }
        if all || ["mounts", "config", "ca_material"].contains(table) {
            do {
                for failure in try await registry.reconcile() {
                    logger.warning("a mount could not be brought in line with the database", metadata: ["error": "\(failure)"])
                }
            } catch {
                logger.warning("cannot read the mounts from the database", metadata: ["error": "\(error)"])
            }
        }
        if all || table == "audit_devices" { await reconcileAudit() }
    }

    /// Enables the API-origin devices the store lists and this node lacks; disables those it no
    /// longer lists. Devices of the config file are this node's own and stay.
    func reconcileAudit() async {
        let stored: [AuditDeviceRecord]
        do { stored = try await store.auditDevices() } catch { return }
        let storedPaths = Set(stored.map(\.path))
        let current = audit.devices()
        for record in current where !storedPaths.contains(record.path) && !audit.isDeclared(path: record.path) {
            try? audit.disable(path: record.path, origin: .api)
        }
        let currentPaths = Set(current.map(\.path))
        for failure in audit.restore(stored.filter { !currentPaths.contains($0.path) }, origin: .api) {
            logger.warning("audit device unavailable", metadata: ["error": "\(failure)"])
        }
    }

    func heartbeat() async {
        guard let nodes else { return }
        var record = node
        record.lastHeartbeat = DateTime(secondsSince1970: Int64(Date().timeIntervalSince1970))
        do { try await nodes.heartbeat(record) } catch {
            logger.warning("cannot record this node's heartbeat", metadata: ["error": "\(error)"])
        }
    }
}
