import KMIP

extension CheckRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.check, roleFlag: nil,
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: CheckResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> CheckResponsePayload {
        try await engine.check(self, &context)
    }
}

extension KMIPEngine {
    /// Check: whether the object could be used as the client describes. Failures name the
    /// field that fails and echo it back in the error.
    func check(_ request: CheckRequestPayload, _ context: inout OperationContext) async throws -> CheckResponsePayload {
        let record = try await record(request.uniqueIdentifier, context)
        context.idPlaceholder = record.uniqueIdentifier
        guard !record.state.isDestroyed else {
            throw KMIPError(.itemNotFound, "object \(record.uniqueIdentifier) has been destroyed")
        }
        if let wanted = request.cryptographicUsageMask {
            let mask = record.attributes.first(AttributeName.cryptographicUsageMask)?.value(as: CryptographicUsageMask.self)
                ?? CryptographicUsageMask(rawValue: 0)
            guard mask.rawValue & wanted.rawValue == wanted.rawValue else {
                throw KMIPError(.illegalOperation, "the object's Cryptographic Usage Mask does not allow the requested usage")
            }
        }
        if let count = request.usageLimitsCount,
           let limits = record.attributes.first(AttributeName.usageLimits)?.value(as: UsageLimits.self),
           let remaining = limits.usageLimitsCount, count > remaining {
            throw KMIPError(.illegalOperation, "the Usage Limits allow \(remaining) more, not \(count)")
        }
        var response = CheckResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        return response
    }
}
