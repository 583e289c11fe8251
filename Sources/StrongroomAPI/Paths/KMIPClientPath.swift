import Foundation
import KMIP
import KMIPEngine
import KMIPPKI
import VaultFramework

/// `POST kmip/scope/:scope/role/:role/client[/:op1[/:op2…]]` (Vault 2.0 client API, alpha): runs a
/// KMIP request written in the KMIP XML encoding — a built-in template or the caller's own XML with
/// `PARAMETER_<name>` placeholders — as the role of the scope, through the mount's engine: the
/// role's `operation_*` flags and the scope's objects apply exactly as for a TLS client, and the
/// request is audited as one. Every batch item's operation must be named in the path, so ACL
/// policies can grant operations one by one. KMIP failures are answered inside the XML (HTTP 200).
/// Served only with the `kmip.client_api.alpha1` experiment.
enum KMIPClientPath {
    /// Top-level fields that stand for the same key of `params`.
    static let shortcuts = ["algorithm", "attr_name", "attr_type", "attr_value", "block_cipher_mode", "data", "iv_counter_nonce",
                            "length", "name", "padding_method", "revocation_reason_code", "unique_identifier", "usage_mask"]

    static let fields: [FieldSchema] = [
        FieldSchema("template", .string, "A built-in template name, or KMIP XML with PARAMETER_<name> placeholders (default: the built-in template of the operations)."),
        FieldSchema("params", .map, "Values of the template's parameters."),
    ] + shortcuts.map { FieldSchema($0, .string, "The template parameter \($0).") }

    static let paths = [
        APIPath("scope/:scope/role/:role/client", scope: .mount(type: "kmip"), fields: fields,
                help: "Run a KMIP request given in the KMIP XML encoding as this role.", operations: [.write: run]),
        APIPath("scope/:scope/role/:role/client/*operations", scope: .mount(type: "kmip"), fields: fields,
                help: "Run a KMIP request given in the KMIP XML encoding as this role.", operations: [.write: run]),
    ]

    /// Bounds for reading back the engine's own answer (a Locate may name 100,000 objects).
    static let responseLimits = Limits(maxMessageBytes: 1 << 30, maxDepth: 64, maxItems: 1 << 24, maxBatchItems: 1 << 16)

    /// What the serial of a client-API identity starts with (audit entries show `api:<token accessor>`).
    static let serialPrefix = "api:"

    @Sendable static func run(_ ctx: APIContext) async throws -> APIResponse {
        let engine = try ctx.requireMount()
        let mount = engine.mount
        guard let scope = try await mount.scope(ctx.parameter("scope")) else {
            throw APIError.notFound("scope \(ctx.parameter("scope")) not found")
        }
        guard let role = try await mount.role(scope: scope.name, name: ctx.parameter("role")) else {
            throw APIError.notFound("role \(ctx.parameter("role")) not found in scope \(scope.name)")
        }
        guard let kmip = await ctx.services.mounts.engine(for: engine.entry) else {
            throw APIError.internal("the KMIP engine of \(engine.entry.path) is not running")
        }
        let operations = ctx.parameter("operations").split(separator: "/").map { $0.lowercased() }
        let values = parameters(ctx.fields.explicit)
        let xml = try requestXML(template: ctx.fields.explicit.string("template"), operations: operations, values: values)
        let request = try decode(xml, limits: kmip.limits)
        for item in request.batchItems {
            let name = item.operation.name.map(Self.pathName) ?? "\(item.operation)"
            guard operations.contains(name) else {
                throw APIError.invalid("the request runs \(name), which the path does not name (…/client/\(operations.joined(separator: "/")))")
            }
        }
        let identity = ClientIdentity(scopeID: scope.id, roleID: role.id,
                                      serialNumber: serialPrefix + (ctx.caller?.accessor ?? "-"), authority: ClientIdentity.httpAPI)
        let response = await kmip.respond(to: request, client: identity)
        let tree: TTLV
        do { tree = try TTLV(decoding: response.encoded(), limits: responseLimits) } catch {
            throw APIError.internal("the KMIP response could not be rendered as XML: \(error)")
        }
        return .data(["response": .string("<KMIP>\n" + KMIPXML.encode(tree) + "\n</KMIP>")])
    }

    /// `Get Attribute List` → `getattributelist`: the operation as the path spells it.
    static func pathName(_ name: String) -> String { name.lowercased().filter { $0 != " " && $0 != "-" } }

    /// `params`, then the top-level shortcuts over them.
    static func parameters(_ given: FieldData) -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in given.map("params") ?? [:] { values[key] = value.stringValue ?? value.intValue.map(String.init) }
        for key in shortcuts { if let v = given.string(key) { values[key] = v } }
        return values
    }

    static func requestXML(template: String?, operations: [String], values: [String: String]) throws -> String {
        if let template, !template.isEmpty {
            if template.contains("<") { return try KMIPClientTemplate.render(template, values) }
            guard let builtIn = KMIPClientTemplate.builtIn[template] else {
                throw APIError.invalid("unknown template \"\(template)\" (LIST kmip/template names the built-in ones)")
            }
            return try builtIn.render(values)
        }
        guard !operations.isEmpty else { throw APIError.invalid("name the operations in the path (…/client/create) or give a template") }
        guard let chosen = KMIPClientTemplate.choose(operations: operations, parameters: values) else {
            throw APIError.invalid("no built-in template runs \(operations.joined(separator: "/")); give a template")
        }
        return try chosen.render(values)
    }

    /// The XML may be 4× the engine's message limit (its text is wordier than TTLV); the decoded
    /// message is held to the engine's limits.
    static func decode(_ xml: String, limits: Limits) throws -> RequestMessage {
        guard xml.utf8.count <= limits.maxMessageBytes * 4 else {
            throw APIError.invalid("the KMIP XML is larger than \(limits.maxMessageBytes * 4) bytes")
        }
        do {
            return try RequestMessage(ttlv: try KMIPXML.decodeMessage(xml, maxDepth: limits.maxDepth).encoded(), limits: limits)
        } catch {
            throw APIError.invalid("the KMIP XML is not a valid request: \(error)")
        }
    }
}
