/// `kmip/ca`: the CA chain, intermediate first. An error until `kmip/config` is written.
enum KMIPCAPath {
    static let path = APIPath(
        "ca", scope: .mount(type: "kmip"),
        help: "Read the mount's CA chain (PEM, intermediate then root).",
        operations: [.read: { ctx in
            .data(["ca_pem": .string(try await ctx.requireMount().mount.caChainPEM())])
        }])
}
