import KMIP

extension AddAttributeRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.addAttribute, roleFlag: "operation_add_attribute",
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: AddAttributeResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> AddAttributeResponsePayload {
        try await engine.addAttribute(self, &context)
    }
}

extension KMIPEngine {
    /// Add Attribute: a new instance of an attribute a client may set. A single-valued attribute
    /// the object already has is Illegal Operation; a multi-valued one gains an instance, whose
    /// index the response carries. Any Attribute Index in the request is ignored: the server
    /// assigns it.
    func addAttribute(_ request: AddAttributeRequestPayload, _ context: inout OperationContext) async throws -> AddAttributeResponsePayload {
        let name = request.attribute.attributeName
        let definition = try AttributeRules.definition(name, version: context.version)
        try AttributeRules.checkAdd(name, definition)
        var added = request.attribute
        added.attributeIndex = nil
        // Usage Limits: the server starts the Count at the Total (§3.21; TC_51 reads it back).
        if var limits = added.value(as: UsageLimits.self), limits.usageLimitsCount == nil {
            limits.usageLimitsCount = limits.usageLimitsTotal
            added = Attribute(limits)
        }
        let instance = added
        let now = context.now
        let (record, existing) = try await modify(request.uniqueIdentifier, &context) { attributes, record -> Int in
            let existing = attributes.all(name).count
            if !definition.multiValued, existing > 0 {
                throw KMIPError(.illegalOperation, "the object already has \(name), which takes one value; use Modify Attribute")
            }
            if name == AttributeName.activationDate { try AttributeRules.checkDateState(name, state: record.state) }
            attributes.append(instance)
            Lifecycle.applyDates(&attributes, now: now)
            return existing
        }

        var response = AddAttributeResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        added.attributeIndex = AttributeRules.responseIndex(Int32(existing), multiValued: definition.multiValued,
                                                           explicit: context.compatibility.explicitAttributeIndex)
        response.attribute = added
        return response
    }
}
