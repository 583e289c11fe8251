import KMIP
import KMIPStore

/// Template objects (KMIP 1.x §2.2.6, deprecated since 1.3): a named, stored list of attributes that
/// a Template-Attribute applies by Name (§2.1.8) in Create, Create Key Pair, Register, Re-key, Re-key
/// Key Pair and Derive Key. Storage arrays of the SASED profile register one and apply it to every
/// key they register.
///
/// - A Template's Name is the template object's own attribute, whether the client gives it in the
///   Register's Template-Attribute (SASED) or among the Template's attributes (TC_312); it is never
///   applied to the objects made from it.
/// - Applying: the templates in the order named, a later template's single-valued attribute
///   replacing an earlier one's; then the structure's own attributes. A single-valued attribute
///   given individually replaces the templates' value; a multi-valued one is added after the
///   templates' instances (TC_312: x-ID from the template at index 0, from Create at index 1).
/// - A Template is looked up in the caller's scope only, like every object.
extension KMIPEngine {
    /// `template` with the Template objects it names replaced by their attributes.
    func expandingTemplates(_ template: TemplateAttribute, _ context: OperationContext) async throws -> TemplateAttribute {
        guard !template.names.isEmpty else { return template }
        var applied: [Attribute] = []
        for name in template.names {
            for attribute in try await templateAttributes(named: name.nameValue, context) {
                if !(attribute.definition?.multiValued ?? true) { applied.removeAll { $0.attributeName == attribute.attributeName } }
                applied.append(attribute)
            }
        }
        let replaced = Set(template.attributes.filter { !($0.definition?.multiValued ?? true) }.map(\.attributeName))
        applied.removeAll { replaced.contains($0.attributeName) }
        return TemplateAttribute(applied + template.attributes)
    }

    func expandingTemplates(ifAny template: TemplateAttribute?, _ context: OperationContext) async throws -> TemplateAttribute? {
        guard let template else { return nil }
        return try await expandingTemplates(template, context) as TemplateAttribute
    }

    /// The attributes of the caller's Template named `name`.
    private func templateAttributes(named name: String, _ context: OperationContext) async throws -> [Attribute] {
        var query = ObjectQuery()
        query.name = name
        query.objectType = .template
        query.excludesDestroyed = true
        query.maximumItems = 2
        let found = try await objects.locate(scopeID: context.scopeID, query)
        guard let uid = found.first else { throw KMIPError(.itemNotFound, "no Template named \(name)") }
        guard found.count == 1 else { throw KMIPError(.invalidField, "more than one Template is named \(name)") }
        guard let record = try await objects.object(scopeID: context.scopeID, uniqueIdentifier: uid),
              case .template(let stored)? = try record.value() else {
            throw KMIPError(.itemNotFound, "no Template named \(name)")
        }
        return stored.attributes
    }

    /// A Template being registered: its Name attributes move to the template object's own
    /// attributes, the rest must be attributes a client may set on a new object.
    static func registeredTemplate(_ template: Template, _ request: TemplateAttribute,
                                   version: ProtocolVersion) throws -> (template: Template, attributes: TemplateAttribute) {
        let names = template.attributes.filter { $0.attributeName == AttributeName.name }
        var kept = template
        kept.attributes.removeAll { $0.attributeName == AttributeName.name }
        // Object Type, if a template states it, is checked against each object it is applied to.
        _ = try checkClientAttributes(kept.attributes.filter { $0.attributeName != AttributeName.objectType },
                                      objectType: .template, version: version)
        return (kept, TemplateAttribute(request.attributes + names, names: request.names))
    }
}
