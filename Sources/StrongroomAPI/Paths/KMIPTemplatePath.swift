import VaultFramework

/// `LIST kmip/template` and `GET kmip/template/:name` (Vault 2.0 client API, alpha): the built-in
/// request templates and their parameters. Served only with the `kmip.client_api.alpha1` experiment.
enum KMIPTemplatePath {
    static let list = APIPath(
        "template", scope: .mount(type: "kmip"),
        help: "List the built-in KMIP XML request templates of the client API.",
        operations: [.list: { _ in KMIPPaths.keys(KMIPClientTemplate.builtIn.keys.sorted()) }])

    static let path = APIPath(
        "template/:name", scope: .mount(type: "kmip"),
        help: "Read a built-in KMIP XML request template and its parameter names.",
        operations: [.read: { ctx in
            guard let template = KMIPClientTemplate.builtIn[ctx.parameter("name")] else { return .notFound }
            return .data(["template": .string(template.xml), "parameters": .list(template.parameters.map(VaultValue.string))])
        }])
}
