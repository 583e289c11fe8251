import KMIP

/// A storage failure, named by the KMIP Result Reason a server answers with.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: ResultReason
    public var message: String
    public init(_ reason: ResultReason, _ message: String) { self.reason = reason; self.message = message }
    public var description: String { message }
    public var kmipError: KMIPError { KMIPError(reason, message) }

    public static func notFound(_ what: String) -> StoreError { StoreError(.itemNotFound, "\(what) not found") }
}

extension StoreError {
    public static func duplicate(_ what: String) -> StoreError { StoreError(.illegalOperation, "\(what) already exists") }
}

extension StoreError {
    public static func scopeNotEmpty(_ name: String, objects: Int) -> StoreError {
        StoreError(.illegalOperation, "scope \(name) holds \(objects) managed objects; delete it with force=true")
    }
}

extension StoreError {
    /// How every "the database cannot be reached" message starts (the API answers those with 503).
    public static let unavailablePrefix = "database unavailable"
    public static func unavailable(_ detail: String) -> StoreError { StoreError(.generalFailure, "\(unavailablePrefix): \(detail)") }
}
