import KMIPEngine

/// `LIST kmip/scope/:scope/role`: role names of a scope.
enum KMIPRoleListPath {
    static let path = APIPath(
        "scope/:scope/role", scope: .mount(type: "kmip"),
        help: "List the roles of a scope.",
        operations: [.list: { ctx in
            let mount = try ctx.requireMount().mount
            guard try await mount.scope(ctx.parameter("scope")) != nil else { return .notFound }
            return KMIPPaths.keys(try await mount.roles(scope: ctx.parameter("scope")).map(\.name).sorted())
        }])
}
