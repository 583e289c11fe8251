import Foundation
import KMIP
import KMIPEngine
import KMIPPKI
import KMIPStore
import Logging

/// Dev mode's data directory: root key file, SQLite database, the initial config, scope `default`
/// with role `admin` (operation_all), and a client credential written as PEM files.
///
/// First start provisions everything. A restart keeps it all: the CA, the config, and the client
/// credential as long as `client.pem` and `client-key.pem` exist and the certificate is still
/// listed under `default`/`admin`; otherwise a new credential is issued (recreating the scope and
/// role if they were deleted). `-dev-kmip-listen-address` is applied to `listen_addrs` on every start.
struct DevEnvironment {
    let paths: DevPaths
    let store: SQLiteStore
    let rootToken: String
    let lock: DataDirectoryLock

    static func prepare(_ options: DevOptions, logger: Logger) async throws -> DevEnvironment {
        let paths = DevPaths(dataDirectory: options.dataDirectory)
        try DevFiles.ensureDirectory(paths.dataDirectory)
        let lock = try DataDirectoryLock.acquire(paths.dataDirectory)
        let keyring = try Keyring.load(keyFile: paths.rootKey, createIfMissing: true)
        let store = try SQLiteStore(path: paths.database, keyring: keyring)
        do {
            let mountStore = try await kmipMount(store)
            let mount = KMIPMount(store: mountStore)
            try await provision(mount: mount, options: options, paths: paths, logger: logger)
            let token = try rootToken(options: options, paths: paths)
            return DevEnvironment(paths: paths, store: store, rootToken: token, lock: lock)
        } catch {
            try? store.close()
            lock.release()
            throw error
        }
    }

    /// The `kmip/` mount, created on first start.
    static func kmipMount(_ store: SQLiteStore) async throws -> any MountStore {
        if let existing = try await store.mounts().first(where: { $0.path == "kmip/" }) {
            return store.mountStore(mountID: existing.id)
        }
        let entry = MountEntry(id: Identifiers.mountID(), path: "kmip/", type: "kmip",
                               accessor: Identifiers.accessor(prefix: "kmip"), createdAt: DateTime(secondsSince1970: Int64(Date().timeIntervalSince1970)))
        try await store.insertMount(entry)
        return store.mountStore(mountID: entry.id)
    }

    static func provision(mount: KMIPMount, options: DevOptions, paths: DevPaths, logger: Logger) async throws {
        let listen = try MountConfig.normalizeListenAddress(options.kmipListenAddress)
        if let config = try await mount.config() {
            if config.listenAddrs != [listen] {
                try await mount.configure(MountConfigUpdate(listenAddrs: [listen]))
                logger.info("dev mode: listen_addrs set from -dev-kmip-listen-address", metadata: ["listen_addrs": "\(listen)"])
            }
        } else {
            try await mount.configure(MountConfigUpdate(listenAddrs: [listen]))
            logger.info("dev mode: wrote the initial kmip/config and generated the CA", metadata: ["listen_addrs": "\(listen)"])
        }

        // ca.pem: the CA chain (public); rewritten when missing or different.
        let chain = try await mount.caChainPEM()
        if DevFiles.read(paths.caPEM) != chain {
            try DevFiles.write(chain, to: paths.caPEM, mode: 0o644)
        }

        if try await hasListedClientCredential(mount: mount, paths: paths) { return }
        if try await mount.scope(StrongroomServer.devScope) == nil {
            try await mount.createScope(StrongroomServer.devScope)
        }
        if try await mount.role(scope: StrongroomServer.devScope, name: StrongroomServer.devRole) == nil {
            try await mount.putRole(scope: StrongroomServer.devScope, name: StrongroomServer.devRole, .all)
        }
        let credential = try await mount.generateCredential(scope: StrongroomServer.devScope, role: StrongroomServer.devRole)
        guard let key = credential.privateKeyPEM else { throw DevFiles.Failure(description: "generated credential has no private key") }
        // Key first, so a crash never leaves a certificate whose key is missing.
        try DevFiles.write(key, to: paths.clientKeyPEM, mode: 0o600)
        try DevFiles.write(credential.certificatePEM, to: paths.clientPEM, mode: 0o644)
        logger.info("dev mode: issued the client credential", metadata: [
            "scope": "\(StrongroomServer.devScope)", "role": "\(StrongroomServer.devRole)", "serial": "\(credential.serialNumber)",
        ])
    }

    /// True when client.pem and client-key.pem exist and client.pem's certificate is still listed
    /// under `default`/`admin`.
    static func hasListedClientCredential(mount: KMIPMount, paths: DevPaths) async throws -> Bool {
        guard DevFiles.exists(paths.clientKeyPEM), let pem = DevFiles.read(paths.clientPEM),
              let der = MountPEM.derBlocks(pem).first else { return false }
        guard try await mount.role(scope: StrongroomServer.devScope, name: StrongroomServer.devRole) != nil else { return false }
        let listed = try await mount.credentials(scope: StrongroomServer.devScope, role: StrongroomServer.devRole)
        return listed.contains { $0.certificateDER == der }
    }

    /// `-dev-root-token-id` if given (stored), else the stored token, else a fresh one (stored, 0600).
    static func rootToken(options: DevOptions, paths: DevPaths) throws -> String {
        if let given = options.rootTokenID, !given.isEmpty {
            if DevFiles.read(paths.rootToken) != given { try DevFiles.write(given, to: paths.rootToken, mode: 0o600) }
            return given
        }
        if let stored = DevFiles.read(paths.rootToken)?.trimmingCharacters(in: .whitespacesAndNewlines), !stored.isEmpty {
            return stored
        }
        let token = "s." + Identifiers.base62(count: 24)
        try DevFiles.write(token, to: paths.rootToken, mode: 0o600)
        return token
    }
}
