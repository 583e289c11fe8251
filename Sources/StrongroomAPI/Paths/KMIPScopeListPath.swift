/// `LIST kmip/scope`: scope names.
enum KMIPScopeListPath {
    static let path = APIPath(
        "scope", scope: .mount(type: "kmip"),
        help: "List the scopes.",
        operations: [.list: { ctx in
            let names = try await ctx.requireMount().mount.scopes().map(\.name).sorted()
            return KMIPPaths.keys(names)
        }])
}
