import Foundation
import KMIP
import KMIPPKI
import KMIPStore

/// What one batch item's handler knows about its caller and its batch.
public struct OperationContext: Sendable {
    /// Every object the handler touches lives in this scope.
    public let scopeID: String
    public let client: ClientIdentity
    public let role: RoleRecord
    /// The version the response speaks.
    public let version: ProtocolVersion
    /// The request's time, used for every date the operation sets.
    public let now: DateTime
    /// The ID Placeholder: set by operations that create or find an object, used by later items
    /// of the same batch that omit their Unique Identifier.
    public var idPlaceholder: String?
    /// An earlier Locate of this batch found nothing: a later item that relies on the ID
    /// Placeholder names no object (Item Not Found, as TC_151/152 expect), rather than omitting one.
    var locatedNothing = false
    /// The transport's number for the client's connection (0: none in particular).
    public var connection: UInt64 = 0
    /// The mount's answers where the spec allows two shapes (`kmip/config`).
    public var compatibility = ClientCompatibility()
    /// Set for batches whose Batch Error Continuation Option is Undo: every object a handler
    /// creates or changes is then journaled in ``effects``, from inside the store transaction
    /// that made it, so Undo knows exactly what this batch did and nothing else.
    var journalsChanges = false
    var effects: [ObjectEffect] = []
    /// The index of the batch item running (journaled with its effects).
    var batchIndex = 0
    /// The operation of the batch item running.
    var operation: KMIP.Operation = .discoverVersions

    /// Who owns streams opened by this request: the client certificate (serial) in its scope, on
    /// this connection (streaming state is per connection, as the spec has it).
    public var streamOwner: StreamOwner { StreamOwner(client: "\(scopeID)/\(client.serialNumber)", connection: connection) }

    /// Records a change of an existing object for Undo when this batch journals changes.
    mutating func journal(before: ManagedObjectRecord, after: ManagedObjectRecord) {
        if journalsChanges { effects.append(ObjectEffect(item: batchIndex, kind: .changed(before: before, after: after))) }
    }

    /// Records a new object for Undo when this batch journals changes.
    mutating func journalCreated(_ uniqueIdentifier: String) {
        if journalsChanges { effects.append(ObjectEffect(item: batchIndex, kind: .created(uniqueIdentifier))) }
    }

    /// The Unique Identifier the item names, else the ID Placeholder.
    public func identifier(_ requested: String?) throws -> String {
        if let requested { return requested }
        if let idPlaceholder { return idPlaceholder }
        if locatedNothing { throw KMIPError(.itemNotFound, "the Locate earlier in this batch found no object") }
        throw KMIPError(.missingData, "no Unique Identifier in the request and no ID Placeholder from an earlier batch item")
    }
}

extension DateTime {
    public static var now: DateTime { DateTime(secondsSince1970: Int64(Date().timeIntervalSince1970)) }
}

/// What one batch item did to the store, as Undo reverses it.
struct ObjectEffect: Sendable {
    enum Kind: Sendable {
        /// An existing object, as the item's transaction read it and as it wrote it: Undo restores
        /// `before` only while the object is still `after`.
        case changed(before: ManagedObjectRecord, after: ManagedObjectRecord)
        /// A new object: Undo removes it.
        case created(String)
    }
    var item: Int
    var kind: Kind

    var uniqueIdentifier: String {
        switch kind {
        case .changed(_, let after): after.uniqueIdentifier
        case .created(let uid): uid
        }
    }
}
