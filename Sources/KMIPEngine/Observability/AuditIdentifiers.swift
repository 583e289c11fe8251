import KMIP

/// The Unique Identifiers a payload names, as its operation declares them (typed fields only):
/// the audit log learns which objects an item touched without the payload (key material, data)
/// ever being encoded or copied.
enum AuditIdentifiers {
    /// The request's objects; `placeholder`: the ID Placeholder an item that names no object acts on.
    static func of(request payload: (any TTLVCodable)?, placeholder: String? = nil) -> [String] {
        switch (payload as? any EngineOperation)?.auditedObjects ?? .none {
        case .none: return []
        case .objects(let ids): return bounded(ids)
        case .objectOrPlaceholder(let id): return (id ?? placeholder).map { [$0] } ?? []
        }
    }

    /// The response's objects.
    static func of(response payload: (any TTLVCodable)?, operation: Operation) -> [String] {
        guard let declared = OperationCatalog.operations[operation] else { return [] }
        return bounded(declared.auditedObjects(ofResponse: payload))
    }

    /// `first` then the members of `second` not in it, at most `maxIdentifiers`.
    static func merge(_ first: [String], _ second: [String]) -> [String] {
        if first.isEmpty { return second }
        var merged = first
        for id in second where !merged.contains(id) && merged.count < KMIPRequestEvent.maxIdentifiers { merged.append(id) }
        return merged
    }

    private static func bounded(_ ids: [String]) -> [String] {
        let named = ids.lazy.filter { !$0.isEmpty }.prefix(KMIPRequestEvent.maxIdentifiers)
        return Array(named)
    }
}
