import KMIPEngine
import KMIPStore
import VaultPolicy
import VaultFramework

/// Where a path lives: at the root of the API (`sys/…`, `auth/token/…`) or inside every mount of an
/// engine type (`config` under `kmip/`, `team/kmip/`…).
public enum APIPathScope: Sendable, Hashable {
    case system
    case mount(type: String)
}

/// What a handler gets: the request, the named segments, the checked fields and the server parts.
public struct APIContext: Sendable {
    public var request: APIRequest
    /// Named segments of the pattern (`scope`, `role`, `path`).
    public var parameters: [String: String]
    /// The request's fields, coerced against the path's schema; defaults for those left out.
    public var fields: FieldData
    /// The mount the request addressed (mount paths only).
    public var mount: MountedEngine?
    /// The caller's token (nil on unauthenticated paths).
    public var caller: TokenRecord?
    /// The caller's compiled policies (nil on unauthenticated paths).
    public var acl: ACL?
    public var services: APIServices

    public func parameter(_ name: String) -> String { parameters[name] ?? "" }

    /// Whether the caller's policies grant `capability` on `path` (a handler that acts on another
    /// path than the request's, such as a normalised policy name, checks it here).
    public func allows(_ capability: ACLCapability, path: String) -> Bool {
        guard let acl else { return false }
        if case .allowed = acl.authorize(ACLRequest(operation: capability, path: path, data: [:])) { return true }
        return false
    }

    /// Vault's "sudo caller": a root token, or one whose policies grant `sudo` on this request's
    /// own path (token creation beyond the caller's policies, orphans, chosen ids).
    public var callerHasSudo: Bool {
        guard let acl else { return false }
        if acl.isRoot { return true }
        let probe = ACLRequest(operation: .update, path: request.path, data: [:], sudoRequired: true, wrapTTL: nil)
        if case .allowed = acl.authorize(probe) { return true }
        return false
    }

    /// The addressed mount, or a 500 if a mount path was routed without one (a registry bug).
    public func requireMount() throws -> MountedEngine {
        guard let mount else { throw APIError.internal("no mount for \(request.path)") }
        return mount
    }
}

public typealias APIHandler = @Sendable (APIContext) async throws -> APIResponse

/// One API path, Vault's `framework.Path`: a pattern of literal and named segments (`:name` is one
/// segment, `*name` the rest of the path, last only), its fields, and a handler per operation.
public struct APIPath: Sendable {
    public var pattern: String
    public var scope: APIPathScope
    public var fields: [FieldSchema]
    public var operations: [APIOperation: APIHandler]
    /// True for paths that need no token (`sys/health`).
    public var unauthenticated: Bool
    /// Vault's `HelpSynopsis`.
    public var help: String
    /// False to accept any field without a warning (paths whose fields are open-ended).
    public var warnsOnUnknownFields: Bool
    /// Operations that need `sudo` beside their own capability (Vault's root-protected paths,
    /// `PathsSpecial.Root`). Declared here, with the path, so no route is protected by accident.
    public var sudo: Set<APIOperation>
    /// Vault's existence check: a write to something that exists needs `update`, to something
    /// absent `create`. Paths without one always need `update` on a write, as in Vault.
    public var exists: (@Sendable (APIContext) async throws -> Bool)?

    let segments: [Segment]

    enum Segment: Sendable, Hashable {
        case literal(String)
        case named(String)
        case rest(String)
    }

    public init(_ pattern: String, scope: APIPathScope, fields: [FieldSchema] = [], unauthenticated: Bool = false,
                warnsOnUnknownFields: Bool = true, sudo: Set<APIOperation> = [],
                exists: (@Sendable (APIContext) async throws -> Bool)? = nil,
                help: String, operations: [APIOperation: APIHandler]) {
        self.pattern = pattern; self.scope = scope; self.fields = fields; self.operations = operations
        self.unauthenticated = unauthenticated; self.help = help; self.warnsOnUnknownFields = warnsOnUnknownFields
        self.sudo = sudo; self.exists = exists
        self.segments = pattern.split(separator: "/").map { s in
            if s.hasPrefix(":") { return .named(String(s.dropFirst())) }
            if s.hasPrefix("*") { return .rest(String(s.dropFirst())) }
            return .literal(String(s))
        }
    }

    /// The named segments if `path` (normalized, relative to the scope) matches.
    func match(_ path: String) -> [String: String]? {
        let parts = path.isEmpty ? [] : path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var out: [String: String] = [:]
        for (i, segment) in segments.enumerated() {
            switch segment {
            case .literal(let l):
                guard i < parts.count, parts[i] == l else { return nil }
            case .named(let n):
                guard i < parts.count, !parts[i].isEmpty else { return nil }
                out[n] = parts[i]
            case .rest(let n):
                guard i < parts.count else { return nil }
                let rest = parts[i...].joined(separator: "/")
                guard !rest.isEmpty else { return nil }
                out[n] = rest
                return out
            }
        }
        return parts.count == segments.count ? out : nil
    }

    /// Literal segments first: `scope/:scope/role` must beat a pattern with more named segments.
    var specificity: Int { segments.reduce(0) { $0 * 3 + ($1.isLiteral ? 2 : 1) } }
}

extension APIPath.Segment {
    var isLiteral: Bool { if case .literal = self { return true }; return false }
}

/// The single registry of API paths. ``standard`` holds every built-in path; the server composition
/// adds its own (`sys/audit`, `sys/audit/*path`, `sys/metrics`) with ``register(_:)`` before building
/// the ``APIRouter``:
/// ```swift
/// var paths = APIPaths.standard
/// paths.register(APIPath("sys/metrics", scope: .system, help: "…", operations: [.read: { ctx in … }]))
/// let router = APIRouter(paths: paths, system: store, mounts: registry, tokens: auth)
/// ```
/// A registered path replaces a built-in one with the same scope and pattern.
public struct APIPaths: Sendable {
    public private(set) var all: [APIPath] = []

    public init(_ paths: [APIPath] = []) { for p in paths { register(p) } }

    public mutating func register(_ path: APIPath) {
        all.removeAll { $0.pattern == path.pattern && $0.scope == path.scope }
        all.append(path)
    }

    /// The most specific path of `scope` matching `path`, with its named segments.
    func match(_ path: String, scope: APIPathScope) -> (APIPath, [String: String])? {
        var best: (APIPath, [String: String])?
        for candidate in all where candidate.scope == scope {
            guard let params = candidate.match(path) else { continue }
            if best == nil || candidate.specificity > best!.0.specificity { best = (candidate, params) }
        }
        return best
    }

    /// Every built-in path.
    public static var standard: APIPaths {
        APIPaths([
            SysHealthPath.path, SysSealStatusPath.path, SysMountsPath.path, SysMountPath.path, SysInternalUIMountsPath.path,
            TokenCreatePath.path, TokenLookupSelfPath.path, TokenRevokePath.path, TokenRevokeAccessorPath.path,
            TokenRevokeSelfPath.path, TokenLookupPath.path, TokenLookupAccessorPath.path,
            KMIPConfigPath.path, KMIPCAPath.path, KMIPCANamePath.path, KMIPCAGeneratePath.path, KMIPCAImportPath.path,
            KMIPListenerListPath.path, KMIPListenerPath.path, KMIPScopeListPath.path, KMIPScopePath.path,
            KMIPRoleListPath.path, KMIPRolePath.path,
            KMIPCredentialGeneratePath.path, KMIPCredentialSignPath.path, KMIPCredentialLookupPath.path,
            KMIPCredentialListPath.path, KMIPCredentialRevokePath.path,
            SysPolicyListPath.path, SysPolicyPath.path, SysPoliciesACLListPath.path, SysPoliciesACLPath.path,
            SysCapabilitiesSelfPath.path, SysCapabilitiesSelfPath.other,
        ])
    }
}
