import Foundation
import KMIP
import KMIPEngine
import KMIPStore

/// What serves mounts outside the API (the KMIP listeners). The server composition implements it.
public protocol MountRuntime: Sendable {
    /// A mount exists (enabled now or found at start): serve it (its listeners start once its config exists).
    func mountEnabled(_ entry: MountEntry, mount: KMIPMount) async throws
    func mountDisabled(_ entry: MountEntry) async
    /// `kmip/config` was written; restart that mount's listeners when listener settings changed.
    func configWritten(_ entry: MountEntry, mount: KMIPMount, old: MountConfig?, new: MountConfig) async throws
    /// The ports each of the mount's listeners is bound to now (a config asking for port 0 binds
    /// another), by the names ``MountRegistry/listenerPorts(_:)`` gives them.
    func boundPorts(_ entry: MountEntry) async -> [String: Set<Int>]
    /// The engine serving the mount (the HTTP client API runs requests through it).
    func engine(_ entry: MountEntry) async -> KMIPEngine?
}

extension MountRuntime {
    public func boundPorts(_ entry: MountEntry) async -> [String: Set<Int>] { [:] }
    public func engine(_ entry: MountEntry) async -> KMIPEngine? { nil }
}

/// A runtime that does nothing (API-only use and tests).
public struct NoMountRuntime: MountRuntime {
    public init() {}
    public func mountEnabled(_ entry: MountEntry, mount: KMIPMount) async throws {}
    public func mountDisabled(_ entry: MountEntry) async {}
    public func configWritten(_ entry: MountEntry, mount: KMIPMount, old: MountConfig?, new: MountConfig) async throws {}
}

/// An enabled mount: its entry and the engine behind it.
public struct MountedEngine: Sendable {
    public var entry: MountEntry
    public var mount: KMIPMount
}

/// The enabled mounts by path, loaded from the ``SystemStore`` at start. Enabling, disabling and
/// config writes go through here so the ``MountRuntime`` hears of each.
public actor MountRegistry {
    public let system: any SystemStore
    let runtime: any MountRuntime
    let clock: @Sendable () -> Date
    private var mounted: [String: MountedEngine] = [:]
    /// Changes to the mounts this node serves (enable, disable, config writes, ``reconcile()``) run
    /// one at a time: two mounts cannot claim one port at once, and a mount read back from the store
    /// while this node enables it is never served twice. Across nodes the store orders them.
    private var changeBusy = false
    private var changeWaiters: [CheckedContinuation<Void, Never>] = []

    /// The store-wide lock mount changes take (``SystemStore/withExclusiveLock(_:_:)``).
    static let mountsLock = "mounts"

    /// Engine types that can be enabled.
    public static let supportedTypes: Set<String> = ["kmip"]
    /// Paths Vault keeps for itself.
    static let reservedPrefixes = ["sys/", "auth/", "cubbyhole/", "identity/"]

    public init(system: any SystemStore, runtime: any MountRuntime = NoMountRuntime(),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.system = system
        self.runtime = runtime
        self.clock = now
    }

    /// Loads the stored mounts and tells the runtime of each.
    public func load() async throws {
        for entry in try await system.mounts() where mounted[entry.path] == nil {
            let engine = makeEngine(entry)
            mounted[entry.path] = engine
            try await runtime.mountEnabled(entry, mount: engine.mount)
        }
    }

    func makeEngine(_ entry: MountEntry) -> MountedEngine {
        MountedEngine(entry: entry, mount: KMIPMount(store: system.mountStore(mountID: entry.id), now: clock))
    }

    /// The KMIP engine the runtime runs for `entry`, if it runs one.
    public func engine(for entry: MountEntry) async -> KMIPEngine? { await runtime.engine(entry) }

    public func all() -> [MountedEngine] { mounted.values.sorted { $0.entry.path < $1.entry.path } }

    public func mount(at path: String) -> MountedEngine? { mounted[Self.normalize(path)] }

    /// The mount whose path is the longest prefix of `path` (relative to /v1/, no trailing slash),
    /// with the rest of the path.
    public func resolve(_ path: String) -> (MountedEngine, rest: String)? {
        let full = path + "/"
        var best: MountedEngine?
        for (prefix, engine) in mounted where full.hasPrefix(prefix) {
            if best == nil || prefix.count > best!.entry.path.count { best = engine }
        }
        guard let best else { return nil }
        let rest = String(full.dropFirst(best.entry.path.count).dropLast())
        return (best, rest)
    }

    /// `kmip` → `kmip/`; slashes trimmed and one added.
    public static func normalize(_ path: String) -> String {
        let trimmed = path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        return trimmed + "/"
    }

    /// `sys/mounts/:path` POST. Vault's messages for an unknown type and a taken path.
    @discardableResult
    public func enable(path rawPath: String, type: String, description: String) async throws -> MountedEngine {
        await acquireChange()
        defer { releaseChange() }
        let path = Self.normalize(rawPath)
        guard path != "/" else { throw APIError.invalid("path cannot be empty") }
        guard path.split(separator: "/").allSatisfy({ segment in
            segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) } && segment != "." && segment != ".."
        }) else { throw APIError.invalid("invalid mount path \"\(rawPath)\"") }
        if let reserved = Self.reservedPrefixes.first(where: { path.hasPrefix($0) }) {
            throw APIError.invalid("cannot mount under \(reserved)")
        }
        guard Self.supportedTypes.contains(type) else {
            throw APIError.invalid("plugin not found in the catalog: \(type)")
        }
        if let clash = mounted.keys.sorted().first(where: { path.hasPrefix($0) || $0.hasPrefix(path) }) {
            throw APIError.invalid("path is already in use at \(clash)")
        }
        let entry = MountEntry(
            id: Identifiers.mountID(), path: path, type: type, description: description,
            accessor: Identifiers.accessor(prefix: type),
            createdAt: DateTime(secondsSince1970: Int64(clock().timeIntervalSince1970)))
        // Nested paths are checked against every node's mounts (the store's), under the lock all
        // nodes take for mount changes, so two nodes cannot enable `team/` and `team/kmip/` at once.
        try await system.withExclusiveLock(Self.mountsLock) { [system] in
            if let clash = try await system.mounts().map(\.path).sorted().first(where: { path.hasPrefix($0) || $0.hasPrefix(path) }) {
                throw APIError.invalid("path is already in use at \(clash)")
            }
            do { try await system.insertMount(entry) } catch let e as StoreError where e.reason == .illegalOperation {
                throw APIError.invalid("path is already in use at \(path)")
            }
        }
        let engine = makeEngine(entry)
        mounted[path] = engine
        do { try await runtime.mountEnabled(entry, mount: engine.mount) } catch {
            // Not served, so not enabled: undo.
            mounted[path] = nil
            try? await system.deleteMount(id: entry.id)
            throw APIError.internal("the mount could not be started: \(error)")
        }
        return engine
    }

    /// `sys/mounts/:path` DELETE: removes the mount and all its data. No-op when nothing is mounted there.
    public func disable(path rawPath: String) async throws {
        await acquireChange()
        defer { releaseChange() }
        let path = Self.normalize(rawPath)
        // Another node may have enabled it since this one last read the store.
        var found = mounted[path]?.entry
        if found == nil { found = try await system.mounts().first { $0.path == path } }
        guard let entry = found else { return }
        mounted[path] = nil
        await runtime.mountDisabled(entry)
        do { try await system.deleteMount(id: entry.id) } catch let e as StoreError where e.reason == .itemNotFound {}
    }

    /// `kmip/config` write: refuses a listen port used by another mount's listeners, stores the
    /// config (the first write generates the CA) and tells the runtime.
    @discardableResult
    public func writeConfig(_ engine: MountedEngine, update: MountConfigUpdate) async throws -> MountConfig {
        try await change(engine) { mount, check in try await mount.configure(update, check: check) }
    }

    /// A change to the mount's config record (its config, named CAs or named listeners) made by
    /// `apply`, which passes `check` to the mount so the result is checked inside the store's
    /// transaction: every listener port of the mount must be free of the other mounts' and of its
    /// other listeners'. Then the runtime restarts what changed; if a listener cannot start, the
    /// previous config is put back.
    @discardableResult
    public func change(_ engine: MountedEngine,
                       _ apply: @escaping @Sendable (KMIPMount, _ check: @escaping @Sendable (MountConfig) throws -> Void) async throws -> MountConfig)
        async throws -> MountConfig
    {
        await acquireChange()
        defer { releaseChange() }
        let old = try await engine.mount.config()
        // Port 0 asks for an ephemeral port: it never clashes. Other mounts' ports are the ones
        // they are configured with (in the store, whichever node wrote them) and the ones this
        // node's listeners are bound to (theirs may be ephemeral). Checked and written under the
        // lock every node takes for mount changes, so two nodes cannot give two mounts one port.
        var bound: [String: Set<Int>] = [:]
        for other in mounted.values where other.entry.id != engine.entry.id {
            bound[other.entry.id] = await runtime.boundPorts(other.entry).values.reduce(into: []) { $0.formUnion($1) }
        }
        let (localBound, running) = (bound, await runtime.boundPorts(engine.entry))
        let new = try await system.withExclusiveLock(Self.mountsLock) { [system] in
            var taken: [Int: String] = [:]
            for other in try await system.mounts() where other.id != engine.entry.id {
                let config = try await system.mountStore(mountID: other.id).config().map(MountConfig.init(stored:))
                var ports = localBound[other.id] ?? []
                for listener in try config.map(Self.listenerPorts) ?? [] { ports.formUnion(listener.ports) }
                for port in ports.subtracting([0]) { taken[port] = taken[port] ?? "the KMIP listeners of the mount at \(other.path)" }
            }
            let others = taken
            return try await apply(engine.mount) { candidate in try Self.checkPorts(candidate, taken: others, running: running) }
        }
        do { try await runtime.configWritten(engine.entry, mount: engine.mount, old: old, new: new) } catch {
            // Keep the mount serving: put the previous config back and restart its listeners.
            guard let old else {
                throw APIError.invalid("the config was stored, but the KMIP listener could not start: \(error)")
            }
            try? await engine.mount.store.setConfig(old.record)
            try? await runtime.configWritten(engine.entry, mount: engine.mount, old: new, new: old)
            throw APIError.invalid("the KMIP listener could not start with this change, which was not kept: \(error)")
        }
        return new
    }

    /// Each listener of `config` (the legacy one, then the named ones) with the ports it binds.
    static func listenerPorts(_ config: MountConfig) throws -> [(name: String, ports: Set<Int>)] {
        var result: [(String, Set<Int>)] = []
        if !config.listenAddrs.isEmpty {
            result.append(("listen_addrs", Set(try config.listenAddrs.map { try MountConfig.splitListenAddress($0).port })))
        }
        if !config.httpsListenAddrs.isEmpty {
            result.append(("https_listen_addrs", Set(try config.httpsListenAddrs.map { try MountConfig.splitListenAddress($0).port })))
        }
        for listener in config.listeners.values.sorted(by: { $0.name < $1.name }) {
            result.append(("listener \(listener.name)", [try MountConfig.splitListenAddress(listener.address).port]))
            if let https = listener.httpsAddress {
                result.append(("listener \(listener.name) https_address", [try MountConfig.splitListenAddress(https).port]))
            }
        }
        return result
    }

    /// Refuses a port another mount uses, or two listeners of this mount on one port. `running`:
    /// the ports this mount's listeners are bound to now, by name; a listener `config` keeps keeps
    /// its bound port (an ephemeral one included) until it restarts, so no other may ask for it.
    static func checkPorts(_ config: MountConfig, taken: [Int: String], running: [String: Set<Int>] = [:]) throws {
        let listeners = try listenerPorts(config)
        var mine: [Int: String] = [:]
        let kept = Set(listeners.map(\.name))
        for (name, ports) in running where kept.contains(name) { for port in ports { mine[port] = name } }
        for (name, ports) in listeners {
            for port in ports.subtracting([0]).sorted() {
                if let other = taken[port] { throw APIError.invalid("\(name): port \(port) is already used by \(other)") }
                if let other = mine[port], other != name {
                    throw APIError.invalid("\(name): port \(port) is already used by \(other) of this mount")
                }
                mine[port] = name
            }
        }
    }

    private func acquireChange() async {
        if !changeBusy { changeBusy = true; return }
        await withCheckedContinuation { changeWaiters.append($0) }
    }

    private func releaseChange() {
        if changeWaiters.isEmpty { changeBusy = false } else { changeWaiters.removeFirst().resume() }
    }

    /// Brings what this node serves in line with the store, where another node sharing the
    /// database may have enabled, disabled or reconfigured a mount: a new mount is served, a
    /// vanished one stops (its data left with it), and each listener follows its stored config
    /// (restarted only when a listener setting changed). Returns the failures, one per mount; the
    /// other mounts are still brought in line.
    @discardableResult
    public func reconcile() async throws -> [String] {
        await acquireChange()
        defer { releaseChange() }
        let stored = try await system.mounts()
        let ids = Set(stored.map(\.id))
        for (path, engine) in mounted where !ids.contains(engine.entry.id) {
            mounted[path] = nil
            await runtime.mountDisabled(engine.entry)
        }
        var failures: [String] = []
        for entry in stored where mounted[entry.path]?.entry.id != entry.id {
            if let replaced = mounted[entry.path] { await runtime.mountDisabled(replaced.entry) }
            let engine = makeEngine(entry)
            mounted[entry.path] = engine
            do { try await runtime.mountEnabled(entry, mount: engine.mount) } catch { failures.append("\(entry.path): \(error)") }
        }
        for engine in mounted.values.sorted(by: { $0.entry.path < $1.entry.path }) {
            do {
                guard let config = try await engine.mount.config() else { continue }
                try await runtime.configWritten(engine.entry, mount: engine.mount, old: nil, new: config)
            } catch {
                failures.append("\(engine.entry.path): \(error)")
            }
        }
        return failures
    }
}
