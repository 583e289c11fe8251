import Foundation
import KMIP
import KMIPEngine
import KMIPStore
import KMIPTestSupport
import Metrics
import XCTest
@testable import StrongroomAPI
import VaultFramework

/// A clock tests move by hand.
final class APITestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date()
    var now: Date { lock.lock(); defer { lock.unlock() }; return current }
    func advance(_ seconds: TimeInterval) { lock.lock(); current += seconds; lock.unlock() }
}

/// Records what the registry tells the runtime.
actor RecordingRuntime: MountRuntime {
    enum Event: Equatable {
        case enabled(String)
        case disabled(String)
        case configWritten(String, oldListen: [String]?, newListen: [String])
    }
    private(set) var events: [Event] = []
    /// Makes the next listener (re)start fail, as a taken port would.
    var failNext = false
    func setFailNext() { failNext = true }
    struct StartFailed: Error, CustomStringConvertible { var description: String { "address already in use" } }

    func mountEnabled(_ entry: MountEntry, mount: KMIPMount) async throws {
        if failNext { failNext = false; throw StartFailed() }
        events.append(.enabled(entry.path))
    }
    func mountDisabled(_ entry: MountEntry) async { events.append(.disabled(entry.path)) }
    func configWritten(_ entry: MountEntry, mount: KMIPMount, old: MountConfig?, new: MountConfig) async throws {
        if failNext { failNext = false; throw StartFailed() }
        events.append(.configWritten(entry.path, oldListen: old?.listenAddrs, newListen: new.listenAddrs))
    }
}

/// Records observer calls; optionally refuses every request (a failing fail-closed audit device).
final class RecordingObserver: APIRequestObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var _received: [(String, String?)] = []
    private var _sent: [(String, Int, String?)] = []
    private var _sawToken = false
    private var _routes: [String?] = []
    private var _peers: [(method: String, remote: String?)] = []
    var peers: [(method: String, remote: String?)] { lock.withLock { _peers } }
    var routes: [String?] { lock.withLock { _routes } }
    var sawToken: Bool { lock.withLock { _sawToken } }
    let fail: Bool
    init(fail: Bool = false) { self.fail = fail }

    var received: [(String, String?)] { lock.lock(); defer { lock.unlock() }; return _received }
    var sent: [(String, Int, String?)] { lock.lock(); defer { lock.unlock() }; return _sent }

    struct Refused: Error {}
    func requestReceived(_ request: APIRequest, tokenAccessor: String?) async throws {
        lock.withLock {
            _received.append((request.description, tokenAccessor))
            _sawToken = _sawToken || request.token != nil
            _peers.append((request.method, request.remoteAddress))
        }
        if fail { throw Refused() }
    }
    func responseSent(_ request: APIRequest, response: APIResponse, tokenAccessor: String?) async {
        lock.withLock {
            _sent.append((request.description, response.status, tokenAccessor))
            _routes.append(response.route)
        }
    }
}

/// An in-process API over an ``InMemoryStore`` with a root token.
struct APIHarness {
    let store: InMemoryStore
    let runtime: RecordingRuntime
    let registry: MountRegistry
    let auth: TokenAuth
    let router: APIRouter
    let root: String
    let clock: APITestClock

    static func make(paths: APIPaths = .standard, observers: [any APIRequestObserver] = [],
                     store: InMemoryStore = InMemoryStore(), metrics: any MetricsFactory = MetricsSystem.factory) async throws -> APIHarness {
        let clock = APITestClock()
        let now: @Sendable () -> Date = { clock.now }
        let runtime = RecordingRuntime()
        let registry = MountRegistry(system: store, runtime: runtime, now: now)
        try await registry.load()
        let auth = TokenAuth(store: store, now: now)
        let root = try await auth.bootstrapRootToken() ?? ""
        let router = APIRouter(paths: paths, system: store, mounts: registry, tokens: auth, observers: observers, now: now,
                               metrics: metrics)
        try await router.services.policies.bootstrap()
        return APIHarness(store: store, runtime: runtime, registry: registry, auth: auth, router: router, root: root, clock: clock)
    }

    /// Calls with the root token unless `token` is given (`.some(nil)` for none).
    @discardableResult
    func call(_ op: APIOperation, _ path: String, _ body: [String: VaultValue] = [:],
              query: [(name: String, value: String)] = [], token: String?? = .none) async -> APIResponse {
        let t: String? = token ?? root
        return await router.handle(APIRequest(op, path, body: body, query: query, token: t))
    }

    /// Calls and asserts the status.
    @discardableResult
    func expect(_ status: Int, _ op: APIOperation, _ path: String, _ body: [String: VaultValue] = [:],
                query: [(name: String, value: String)] = [], token: String?? = .none,
                file: StaticString = #filePath, line: UInt = #line) async -> APIResponse {
        let r = await call(op, path, body, query: query, token: token)
        XCTAssertEqual(r.status, status, "\(op) \(path): \(r.errors) \(r.warnings)", file: file, line: line)
        return r
    }

    /// Enables a kmip mount at `path` and writes its config.
    func kmipMount(_ path: String = "kmip", config: [String: VaultValue]? = [:]) async throws {
        await expect(204, .write, "sys/mounts/\(path)", ["type": "kmip"])
        if let config { await expect(204, .write, "\(path)/config", config) }
    }

    /// Scope `s1` with role `r1` (operation_all) on `kmip/`.
    func scopeAndRole(_ mount: String = "kmip", scope: String = "s1", role: String = "r1",
                      _ roleBody: [String: VaultValue] = ["operation_all": true]) async {
        await expect(204, .write, "\(mount)/scope/\(scope)")
        await expect(204, .write, "\(mount)/scope/\(scope)/role/\(role)", roleBody)
    }
}

enum APITestSupport {
    /// Runs `openssl` with `arguments`, feeding `input`; returns stdout.
    @discardableResult
    static func openssl(_ arguments: [String], input: String? = nil) throws -> String {
        do { return try OpenSSLTool.run(arguments, input: input) } catch OpenSSLTool.Failure.notInstalled {
            throw XCTSkip("openssl not found")
        }
    }

    /// A CSR PEM with a fresh EC (`curve`) or RSA key.
    static func csr(ecCurve: String? = nil, rsaBits: Int? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("api-csr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyPath = dir.appendingPathComponent("key.pem").path
        if let ecCurve {
            try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(ecCurve)", "-out", keyPath])
        } else {
            try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(rsaBits ?? 2048)", "-out", keyPath])
        }
        return try openssl(["req", "-new", "-key", keyPath, "-subj", "/CN=EKM/O=NetApp/OU=SolidFire"])
    }

    /// `openssl x509 -noout -text` of a PEM certificate.
    static func certificateText(_ pem: String) throws -> String { try openssl(["x509", "-noout", "-text"], input: pem) }

    static func pemCount(_ s: String) -> Int { s.components(separatedBy: "-----BEGIN CERTIFICATE-----").count - 1 }
}

extension APIResponse {
    func string(_ key: String) -> String? { data?[key]?.stringValue }
    var keys: [String]? { data?["keys"]?.listValue?.compactMap(\.stringValue) }
}
