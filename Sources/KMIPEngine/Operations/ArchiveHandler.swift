import KMIP
import KMIPStore

extension ArchiveRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.archive, roleFlag: nil,
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: ArchiveResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> ArchiveResponsePayload {
        try await engine.archive(self, &context)
    }
}

extension KMIPEngine {
    /// Archive: the object stays stored (encrypted, as every object) but answers Object Archived
    /// to every operation but attribute reads, Recover and Destroy, and leaves on-line Locates.
    func archive(_ request: ArchiveRequestPayload, _ context: inout OperationContext) async throws -> ArchiveResponsePayload {
        var response = ArchiveResponsePayload()
        response.uniqueIdentifier = try await setArchived(request.uniqueIdentifier, true, &context).uniqueIdentifier
        return response
    }

    func setArchived(_ requested: String?, _ archived: Bool, _ context: inout OperationContext) async throws -> ManagedObjectRecord {
        let uid = try context.identifier(requested)
        let now = context.now
        let (record, before) = try await objects.modify(scopeID: context.scopeID, uniqueIdentifier: uid, inserting: nil) { record in
            let before = record
            guard record.archived != archived else {
                throw KMIPError(.illegalOperation, "object \(uid) is \(archived ? "already" : "not") archived")
            }
            var attributes = record.attributes
            if archived { attributes.set(AttributeName.archiveDate, .dateTime(now)) } else { attributes.remove(AttributeName.archiveDate) }
            attributes.set(AttributeName.lastChangeDate, .dateTime(now))
            record.setAttributes(attributes)
            record.archived = archived
            return before
        }
        context.journal(before: before, after: record)
        context.idPlaceholder = record.uniqueIdentifier
        return record
    }
}
