/// `LIST kmip/scope/:scope/role/:role/credential`: serial numbers listed under the role.
enum KMIPCredentialListPath {
    static let path = APIPath(
        "scope/:scope/role/:role/credential", scope: .mount(type: "kmip"),
        help: "List the serial numbers of the role's client certificates.",
        operations: [.list: { ctx in
            let mount = try ctx.requireMount().mount
            guard try await mount.role(scope: ctx.parameter("scope"), name: ctx.parameter("role")) != nil else { return .notFound }
            let serials = try await mount.credentials(scope: ctx.parameter("scope"), role: ctx.parameter("role")).map(\.serialNumber)
            return KMIPPaths.keys(serials.sorted())
        }])
}
