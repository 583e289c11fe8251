import Foundation
import KMIPStore
import Logging
import Metrics
import VaultPolicy
import VaultFramework

/// Audit and metrics hooks (implemented outside this module). `requestReceived` runs before the
/// handler: when it throws (a fail-closed audit device could not write) the request is answered
/// 500 `audit logging failed` without running. `responseSent` runs for every answer. Observers get
/// the request without its token (`token` is nil); the caller is named by its accessor. Responses
/// may hold secrets (`private_key`, `client_token`): an audit device must hash or drop them.
public protocol APIRequestObserver: Sendable {
    func requestReceived(_ request: APIRequest, tokenAccessor: String?) async throws
    func responseSent(_ request: APIRequest, response: APIResponse, tokenAccessor: String?) async
}

/// Server facts `sys/health` reports.
public struct APIServerInfo: Sendable {
    public var version: String
    public var clusterName: String
    public var clusterID: String
    public init(version: String = "0.1.0", clusterName: String = "strongroom", clusterID: String = UUID().uuidString.lowercased()) {
        self.version = version; self.clusterName = clusterName; self.clusterID = clusterID
    }
}

/// The parts of the server that handlers reach.
public struct APIServices: Sendable {
    public var system: any SystemStore
    public var mounts: MountRegistry
    public var tokens: TokenAuth
    public var policies: PolicyStore
    public var info: APIServerInfo
    public var clock: @Sendable () -> Date
}

/// Routes an ``APIRequest`` to its ``APIPath``: token check, observers, field checks, the handler,
/// and the mapping of errors to Vault's envelopes. Transport-free; the HTTP adapter calls ``handle(_:)``.
public struct APIRouter: Sendable {
    public let paths: APIPaths
    public let services: APIServices
    public let observers: [any APIRequestObserver]
    let logger: Logger
    let metrics: APIMetrics

    public init(paths: APIPaths = .standard, system: any SystemStore, mounts: MountRegistry, tokens: TokenAuth,
                info: APIServerInfo = APIServerInfo(), observers: [any APIRequestObserver] = [],
                logger: Logger = Logger(label: "strongroom.api"), now: @escaping @Sendable () -> Date = { Date() },
                metrics: any MetricsFactory = MetricsSystem.factory) {
        self.paths = paths
        self.metrics = APIMetrics(factory: metrics)
        self.services = APIServices(system: system, mounts: mounts, tokens: tokens, policies: PolicyStore(store: system),
                                    info: info, clock: now)
        self.observers = observers
        self.logger = logger
    }

    /// Answers `request`; never throws (every failure becomes a Vault error envelope). Counts and
    /// times it: `api_requests_total{method,status}`, `api_request_duration_seconds{method}`.
    public func handle(_ request: APIRequest) async -> APIResponse {
        let start = ContinuousClock.now
        let response = await route(request)
        metrics.record(method: request.method, status: response.status, duration: ContinuousClock.now - start)
        return response
    }

    private func route(_ request: APIRequest) async -> APIResponse {
        // Empty, `.` and `..` segments would let the ACL see one path and a handler another
        // (`sys/mounts//kmip` is `kmip/` to the mount registry).
        if request.path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
           !request.path.isEmpty {
            return await finish(request, APIError.invalid("invalid request path \"\(request.path)\"").response, accessor: nil)
        }
        let resolved: Result<Route, APIError>
        do { resolved = .success(try await resolve(request)) } catch { resolved = .failure(APIError.from(error)) }
        // Unknown paths need a token too, as in Vault: no probing of what exists without one.
        let unauthenticated = (try? resolved.get())?.path.unauthenticated ?? false
        let label = (try? resolved.get()).map { ($0.mount?.entry.path ?? "") + $0.path.pattern }
        let finish = { (response: APIResponse, accessor: String?) async -> APIResponse in
            var labelled = response
            labelled.route = label
            return await self.finish(request, labelled, accessor: accessor)
        }
        var caller: TokenRecord?
        if !unauthenticated {
            do { caller = try await services.tokens.authenticate(request.token) } catch {
                logger.error("token lookup failed: \(String(describing: error))")
                return await finish(APIError.internal("internal error").response, nil)
            }
        }
        let accessor = caller?.accessor
        for observer in observers {
            do { try await observer.requestReceived(request.withoutToken, tokenAccessor: accessor) } catch {
                logger.error("audit: request not logged, refused: \(String(describing: error))")
                return await finish(APIError.auditFailed.response, accessor)
            }
        }
        if !unauthenticated && caller == nil {
            return await finish(APIError.permissionDenied.response, nil)
        }
        var acl: ACL?
        if let caller {
            // Vault checks the policies before routing: without a grant, an unknown path is a 403 too.
            do {
                let compiled = try await services.policies.acl(for: caller.policies)
                if let denial = await authorize(request, route: try? resolved.get(), acl: compiled, caller: caller) {
                    logger.notice("\(request.description): permission denied to \(caller.accessor): \(denial)")
                    return await finish(APIError.policyDenied.response, accessor)
                }
                acl = compiled
            } catch {
                logger.error("policy evaluation failed: \(String(describing: error))")
                return await finish(APIError.internal("internal error").response, accessor)
            }
        }
        switch resolved {
        case .failure(let error):
            return await finish(error.response, accessor)
        case .success(let route):
            return await finish(await run(route, request: request, caller: caller, acl: acl), accessor)
        }
    }

    /// Nil when the caller's policies allow the request, else why not (for the server log).
    /// The capability is the operation's (a write is `create` when the path's existence check
    /// finds nothing, else `update`); `sudo` is added where the path declares it.
    func authorize(_ request: APIRequest, route: Route?, acl: ACL, caller: TokenRecord) async -> String? {
        if acl.isRoot { return nil }
        let capability: ACLCapability
        switch request.operation {
        case .read: capability = .read
        case .list: capability = .list
        case .delete: capability = .delete
        case .write:
            var exists = true
            if let route, let check = route.path.exists {
                let probe = APIContext(request: request, parameters: route.parameters, fields: FieldData(), mount: route.mount,
                                       caller: caller, acl: acl, services: services)
                exists = (try? await check(probe)) ?? true
            }
            capability = exists ? .update : .create
        }
        let path = request.operation == .list ? request.path + "/" : request.path
        let sudo = route?.path.sudo.contains(request.operation) ?? false
        let data = request.operation == .list ? [:] : request.data
        let decision = acl.authorize(ACLRequest(operation: capability, path: path, data: data, sudoRequired: sudo, wrapTTL: nil))
        if case .denied(let reason) = decision { return reason }
        return nil
    }

    struct Route {
        var path: APIPath
        var parameters: [String: String]
        var mount: MountedEngine?
    }

    /// System paths first, then the longest mount prefix and the mount's paths.
    func resolve(_ request: APIRequest) async throws -> Route {
        if let system = paths.match(request.path, scope: .system) {
            return Route(path: system.0, parameters: system.1, mount: nil)
        }
        if let resolved = await services.mounts.resolve(request.path) {
            let engine = resolved.0
            if let found = paths.match(resolved.rest, scope: .mount(type: engine.entry.type)) {
                return Route(path: found.0, parameters: found.1, mount: engine)
            }
            throw APIError.unsupportedPath(request.path)
        }
        throw APIError.unsupportedPath(request.path)
    }

    func run(_ route: Route, request: APIRequest, caller: TokenRecord?, acl: ACL?) async -> APIResponse {
        guard let handler = route.path.operations[request.operation] else { return APIError.unsupportedOperation.response }
        let fields: FieldData
        do { fields = try FieldData(raw: request.data, schema: route.path.fields) } catch {
            return APIError.invalid(error.message).response
        }
        // Vault warns about unknown body fields only (query items are often Vault's own, `list`…).
        let unknown = route.path.warnsOnUnknownFields ? fields.unknown.filter { request.body[$0] != nil } : []
        let context = APIContext(request: request, parameters: route.parameters, fields: fields, mount: route.mount,
                                 caller: caller, acl: acl, services: services)
        var response: APIResponse
        do { response = try await handler(context) } catch {
            var apiError = APIError.from(error)
            if let mount = route.mount {
                // Errors from the mount speak of "<mount>/"; name the one addressed.
                apiError.messages = apiError.messages.map { $0.replacingOccurrences(of: "<mount>/", with: mount.entry.path) }
            }
            if apiError.status >= 500 { logger.error("\(request.description): \(String(describing: error))") }
            return apiError.response
        }
        if !unknown.isEmpty {
            response.warnings.append("Endpoint ignored these unrecognized parameters: [\(unknown.joined(separator: " "))]")
        }
        // Vault answers a 204 that carries warnings as a 200 envelope.
        if case .none = response.body, !response.warnings.isEmpty {
            response.status = 200
            response.body = .envelope(data: nil, auth: nil, topLevel: [:])
        }
        return response
    }

    func finish(_ request: APIRequest, _ response: APIResponse, accessor: String?) async -> APIResponse {
        for observer in observers {
            await observer.responseSent(request.withoutToken, response: response, tokenAccessor: accessor)
        }
        return response
    }
}
