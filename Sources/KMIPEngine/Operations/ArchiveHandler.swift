import KMIP
import KMIPStore

extension KMIPEngine {
    /// Archive: the object stays stored (encrypted, as every object) but answers Object Archived
    /// to every operation but attribute reads, Recover and Destroy, and leaves on-line Locates.
    func archive(_ request: ArchiveRequestPayload, _ context: inout OperationContext) async throws -> ArchiveResponsePayload {
        var record = try await record(request.uniqueIdentifier, context, archived: .allow)
        context.idPlaceholder = record.uniqueIdentifier
        guard !record.archived else { throw KMIPError(.illegalOperation, "object \(record.uniqueIdentifier) is already archived") }
        try await setArchived(&record, true, now: context.now)
        var response = ArchiveResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        return response
    }

    func setArchived(_ record: inout ManagedObjectRecord, _ archived: Bool, now: DateTime) async throws {
        var attributes = record.attributes
        if archived { attributes.set(AttributeName.archiveDate, .dateTime(now)) } else { attributes.remove(AttributeName.archiveDate) }
        attributes.set(AttributeName.lastChangeDate, .dateTime(now))
        record.setAttributes(attributes)
        record.archived = archived
        try await objects.update(record)
    }
}
