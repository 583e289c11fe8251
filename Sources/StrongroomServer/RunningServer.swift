import Foundation
import KMIPEngine
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import StrongroomAPI
import StrongroomObservability

/// A started server: where it listens, where its files are, and how to stop it.
public struct RunningServer: Sendable {
    /// The bound KMIP addresses of the `kmip/` mount as `host:port` (`[v6]:port`); with port 0
    /// requested, the real port. Other mounts: ``kmipAddresses(mount:)``.
    public let kmipAddresses: [String]
    /// The bound HTTP API address (`host:port`).
    public let apiAddress: String
    /// Dev mode's files (production: the storage directory, where no credential files are written).
    public let paths: DevPaths
    /// The HTTP API root token: dev mode's, or production's on the first start only (else empty). Secret.
    public let rootToken: String
    /// The `kmip/` mount (dev mode always has one; production only once it is enabled at start).
    public let mount: KMIPMount!
    public let registry: MountRegistry
    let runtime: KMIPMountRuntime
    public let observability: Observability
    let group: ServiceGroup
    let task: Task<Void, any Error>

    /// The first bound KMIP port of `kmip/`.
    public var kmipPort: Int? { kmipAddresses.first.flatMap { $0.split(separator: ":").last.flatMap { Int($0) } } }

    /// The HTTP API's base URL (`https` when it has TLS is the caller's to know).
    public var apiURL: String { "http://\(apiAddress)" }

    /// The bound KMIP addresses of the mount at `path` (`kmip2/`), now.
    public func kmipAddresses(mount path: String) async -> [String] { await runtime.boundAddresses(path: path) }

    /// The bound addresses where the mount at `path` serves KMIP over HTTPS (`https_listen_addrs`), now.
    public func kmipHTTPSAddresses(mount path: String, listener: String? = nil) async -> [String] {
        await runtime.boundAddresses(path: path, https: true, listener: listener)
    }

    /// Graceful shutdown: stop accepting, answer in-flight requests, close; then close the store.
    public func shutdown() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    /// Waits until the server stops (a signal, or ``shutdown()`` from elsewhere); rethrows a failure.
    public func wait() async throws {
        try await task.value
    }
}

/// The API's bound address, set by Hummingbird once it listens.
final class APIBoundAddress: Sendable {
    private struct State {
        var address: String?
        var ended = false
        var waiters: [CheckedContinuation<String?, Never>] = []
    }
    private let state = NIOLockedValueBox(State())

    func set(_ address: SocketAddress?) { finish(address.map(KMIPMountRuntime.text) ?? "?") }

    private func finish(_ address: String?) {
        let waiters = state.withLockedValue { s -> [CheckedContinuation<String?, Never>] in
            if let address { s.address = address } else { s.ended = true }
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume(returning: address) }
    }

    /// The address once bound; the group's error if it ends first.
    func wait(failingWith task: Task<Void, any Error>) async throws -> String {
        let watcher = Task { _ = await task.result; self.finish(nil) }
        defer { watcher.cancel() }
        let address: String? = await withCheckedContinuation { c in
            let ready: String?? = state.withLockedValue { s in
                if let a = s.address { return .some(a) }
                if s.ended { return .some(nil) }
                s.waiters.append(c)
                return .none
            }
            if case .some(let a) = ready { c.resume(returning: a) }
        }
        if let address { return address }
        if case .failure(let error) = await task.result { throw error }
        throw ConfigFileError("the server stopped before the HTTP API was listening")
    }
}
