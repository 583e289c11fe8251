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
    /// The transport's number for the client's connection (0: none in particular).
    public var connection: UInt64 = 0

    /// Who owns streams opened by this request: the client certificate (serial) in its scope, on
    /// this connection (streaming state is per connection, as the spec has it).
    public var streamOwner: StreamOwner { StreamOwner(client: "\(scopeID)/\(client.serialNumber)", connection: connection) }

    /// The Unique Identifier the item names, else the ID Placeholder.
    public func identifier(_ requested: String?) throws -> String {
        if let requested { return requested }
        if let idPlaceholder { return idPlaceholder }
        throw KMIPError(.missingData, "no Unique Identifier in the request and no ID Placeholder from an earlier batch item")
    }
}

extension DateTime {
    public static var now: DateTime { DateTime(secondsSince1970: Int64(Date().timeIntervalSince1970)) }
}
