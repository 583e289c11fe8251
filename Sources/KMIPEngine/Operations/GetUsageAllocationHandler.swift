import KMIP

extension GetUsageAllocationRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.getUsageAllocation, roleFlag: nil,
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: GetUsageAllocationResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> GetUsageAllocationResponsePayload {
        try await engine.getUsageAllocation(self, &context)
    }
}

extension KMIPEngine {
    /// Get Usage Allocation: takes `usageLimitsCount` from what the object's Usage Limits have left.
    func getUsageAllocation(_ request: GetUsageAllocationRequestPayload, _ context: inout OperationContext) async throws -> GetUsageAllocationResponsePayload {
        guard request.usageLimitsCount > 0 else {
            throw KMIPError(.invalidField, "Usage Limits Count must be positive")
        }
        let record = try await modify(request.uniqueIdentifier, &context) { attributes in
            guard var limits = attributes.first(AttributeName.usageLimits)?.value(as: UsageLimits.self) else {
                throw KMIPError(.illegalOperation, "the object has no Usage Limits")
            }
            let left = limits.usageLimitsCount ?? limits.usageLimitsTotal
            guard request.usageLimitsCount <= left else {
                throw KMIPError(.permissionDenied, "the Usage Limits have \(left) left, not \(request.usageLimitsCount)")
            }
            limits.usageLimitsCount = left - request.usageLimitsCount
            attributes.set(Attribute(limits))
        }
        var response = GetUsageAllocationResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        return response
    }
}
