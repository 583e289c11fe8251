import KMIPEngine

/// `LIST kmip/listener` (Vault 2.0): names of the named listeners.
enum KMIPListenerListPath {
    static let path = APIPath(
        "listener", scope: .mount(type: "kmip"),
        help: "List the named KMIP listeners.",
        operations: [.list: { ctx in KMIPPaths.keys(try await ctx.requireMount().mount.listeners().map(\.name)) }])
}
