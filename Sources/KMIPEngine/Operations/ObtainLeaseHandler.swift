import KMIP

extension ObtainLeaseRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.obtainLease, roleFlag: nil,
                                                  undo: .irreversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: ObtainLeaseResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> ObtainLeaseResponsePayload {
        try await engine.obtainLease(self, &context)
    }
}

extension KMIPEngine {
    /// Obtain Lease: Active objects only; the lease is the object's Lease Time (the server policy
    /// when it has none).
    func obtainLease(_ request: ObtainLeaseRequestPayload, _ context: inout OperationContext) async throws -> ObtainLeaseResponsePayload {
        let record = try await record(request.uniqueIdentifier, context)
        context.idPlaceholder = record.uniqueIdentifier
        guard record.state == .active else {
            throw KMIPError(.permissionDenied, "a lease is granted only on an Active object")
        }
        var response = ObtainLeaseResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        response.leaseTime = record.attributes.first(AttributeName.leaseTime)?.value(as: Interval.self) ?? ServerPolicy.leaseTime
        response.lastChangeDate = record.attributes.date(AttributeName.lastChangeDate) ?? record.initialDate
        return response
    }
}
