import KMIP
import KMIPStore

/// The KMIP object lifecycle (KMIP 1.4 §3.22): which state changes an operation may make, and the
/// date attributes that go with them.
enum Lifecycle {
    /// Activate: Pre-Active → Active.
    static func activate(_ attributes: inout [Attribute], now: DateTime) throws {
        let state = try currentState(attributes)
        guard state == .preActive else {
            throw KMIPError(.permissionDenied, "only a Pre-Active object can be activated; this one is \(state.name ?? "not")")
        }
        attributes.set(Attribute(State.active))
        attributes.set(AttributeName.activationDate, .dateTime(now))
    }

    /// Revoke: a compromise moves any state to (Destroyed) Compromised; any other reason moves
    /// Pre-Active or Active to Deactivated.
    static func revoke(_ attributes: inout [Attribute], reason: RevocationReason, occurred: DateTime?, now: DateTime) throws {
        let state = try currentState(attributes)
        let compromise = reason.revocationReasonCode == .keyCompromise || reason.revocationReasonCode == .caCompromise
        if compromise {
            guard state != .compromised, state != .destroyedCompromised else {
                throw KMIPError(.permissionDenied, "the object is already compromised")
            }
            attributes.set(Attribute(state == .destroyed ? State.destroyedCompromised : State.compromised))
            attributes.set(AttributeName.compromiseDate, .dateTime(now))
            attributes.set(AttributeName.compromiseOccurrenceDate, .dateTime(occurred ?? now))
        } else {
            guard state == .active || state == .preActive else {
                throw KMIPError(.permissionDenied, "only a Pre-Active or Active object can be revoked for this reason; this one is \(state.name ?? "not")")
            }
            attributes.set(Attribute(State.deactivated))
            attributes.set(AttributeName.deactivationDate, .dateTime(now))
        }
        attributes.set(Attribute(reason))
    }

    /// Destroy: anything but Active; Compromised → Destroyed Compromised. An object without a
    /// lifecycle (a Template) is simply destroyed.
    static func destroy(_ attributes: inout [Attribute], now: DateTime) throws {
        let state = attributes.first(AttributeName.state)?.value(as: State.self) ?? .preActive
        switch state {
        case .active:
            throw KMIPError(.permissionDenied, "an Active object cannot be destroyed; Revoke it first")
        case .destroyed, .destroyedCompromised:
            throw KMIPError(.itemNotFound, "the object has already been destroyed")
        case .compromised:
            attributes.set(Attribute(State.destroyedCompromised))
        default:
            attributes.set(Attribute(State.destroyed))
        }
        attributes.set(AttributeName.destroyDate, .dateTime(now))
    }

    static func currentState(_ attributes: [Attribute]) throws -> State {
        guard let state = attributes.first(AttributeName.state)?.value(as: State.self) else {
            throw KMIPError(.illegalOperation, "this object has no lifecycle state")
        }
        return state
    }

    /// Pre-Active objects whose Activation Date has passed are Active, and Active ones whose
    /// Deactivation Date has passed are Deactivated (the spec's time-driven transitions; the
    /// store's `effectiveState` applies the same rule to Locate by State).
    /// Returns whether the state changed.
    @discardableResult
    static func applyDates(_ attributes: inout [Attribute], now: DateTime) -> Bool {
        guard let initial = attributes.first(AttributeName.state)?.value(as: State.self) else { return false }
        var probe = ManagedObjectRecord(scopeID: "", uniqueIdentifier: "", objectType: .symmetricKey, state: initial,
                                        initialDate: now)
        probe.activationDate = attributes.date(AttributeName.activationDate)
        probe.deactivationDate = attributes.date(AttributeName.deactivationDate)
        let state = probe.effectiveState(at: now)
        guard state != initial else { return false }
        attributes.set(Attribute(state))
        return true
    }
}

extension KMIPEngine {
    /// Changes the object's attributes atomically (read, `change`, write in one store
    /// transaction), with the date-driven state changes applied first and Last Change Date
    /// stamped after. `change` also sees the record as read. `inserting` is stored in the same
    /// transaction. The ID Placeholder is set only when the change succeeded.
    func modify<T: Sendable>(_ requested: String?, _ context: inout OperationContext,
                             keepValue: Bool = true, archived: ArchivedAccess = .refuse,
                             inserting: ManagedObjectRecord? = nil,
                             _ change: @escaping @Sendable (inout [Attribute], ManagedObjectRecord) throws -> T) async throws -> (ManagedObjectRecord, T) {
        let uid = try context.identifier(requested)
        let now = context.now
        let (record, outcome) = try await objects.modify(scopeID: context.scopeID, uniqueIdentifier: uid, inserting: inserting) { record in
            let before = record
            if record.archived, archived == .refuse {
                throw KMIPError(.objectArchived, "object \(uid) is archived; Recover it first")
            }
            var attributes = record.attributes
            if Lifecycle.applyDates(&attributes, now: now) { record.setAttributes(attributes) }
            let result = try change(&attributes, record)
            attributes.set(AttributeName.lastChangeDate, .dateTime(now))
            record.setAttributes(attributes)
            if !keepValue { record.keyMaterial = nil }
            return (result, before)
        }
        if let inserting { context.journalCreated(inserting.uniqueIdentifier) }
        context.journal(before: outcome.1, after: record)
        context.idPlaceholder = record.uniqueIdentifier
        return (record, outcome.0)
    }

    /// `modify` for changes that only edit attributes.
    @discardableResult
    func modify(_ requested: String?, _ context: inout OperationContext, keepValue: Bool = true,
                archived: ArchivedAccess = .refuse,
                _ change: @escaping @Sendable (inout [Attribute]) throws -> Void) async throws -> ManagedObjectRecord {
        try await modify(requested, &context, keepValue: keepValue, archived: archived) { attributes, _ in try change(&attributes) }.0
    }
}
