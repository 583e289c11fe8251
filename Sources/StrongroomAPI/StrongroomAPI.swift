/// The Vault-compatible HTTP API (docs/architecture.md, "One API request"): Vault's paths, envelopes and errors over the
/// KMIP mounts of a ``KMIPStore/SystemStore``.
///
/// Layout: `Core/` (request, response, errors, the path registry and the router), `Paths/` (one
/// file per API path, Vault's `path_*.go` habit), `Auth/` (tokens), `Mounts/` (the mount registry
/// and the ``MountRuntime`` the KMIP listeners hang off), `HTTP/` (the Hummingbird adapter).
///
/// How the server composition puts it together:
/// ```swift
/// let registry = MountRegistry(system: store, runtime: listeners)   // listeners: some MountRuntime
/// try await registry.load()                                         // mountEnabled for each stored mount
/// let tokens = TokenAuth(store: store)
/// if let root = try await tokens.bootstrapRootToken() { /* show once; never log */ }
/// var paths = APIPaths.standard
/// paths.register(APIPath("sys/metrics", scope: .system, help: "…", operations: [.read: { ctx in … }]))
/// paths.register(APIPath("sys/audit", scope: .system, help: "…", operations: [.read: { ctx in … }]))
/// paths.register(APIPath("sys/audit/*path", scope: .system, fields: […], help: "…",
///                        operations: [.write: { ctx in … }, .delete: { ctx in … }]))
/// let router = APIRouter(paths: paths, system: store, mounts: registry, tokens: tokens,
///                        info: APIServerInfo(version: "…"), observers: [audit, metrics])
/// let app = buildApplication(configuration: APIConfiguration(host: "127.0.0.1", port: 8200), router: router)
/// // `app` is a swift-service-lifecycle Service: run it in the ServiceGroup beside the KMIP listeners.
/// ```
/// A handler gets an ``APIContext``: the request, named segments (`:scope`, `*path`), the fields
/// its ``APIPath`` declares (checked by type, defaults filled in; unknown ones answered with Vault's
/// warning), the caller's ``KMIPStore/TokenRecord`` and ``APIServices`` (store, mounts, tokens).
/// Throw ``APIError`` (or a `MountError`) for Vault's `{"errors":[…]}`.
public enum StrongroomAPI {}
