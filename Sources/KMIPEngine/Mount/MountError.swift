import KMIP
import KMIPPKI
import KMIPStore

/// A failure of a mount management call, with the kind the HTTP API maps to a status
/// (invalid → 400, notFound → 404, alreadyExists/conflict → 400, notConfigured → 400).
public struct MountError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// A field is malformed or a combination of fields is not allowed.
        case invalid
        /// The scope, role or credential does not exist.
        case notFound
        /// The scope already exists.
        case alreadyExists
        /// The request contradicts stored state (e.g. deleting a scope that holds objects without force).
        case conflict
        /// `kmip/config` was never written, so there is no CA yet.
        case notConfigured
    }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var description: String { message }

    public static func invalid(_ message: String) -> MountError { MountError(.invalid, message) }
    public static func notFound(_ message: String) -> MountError { MountError(.notFound, message) }
    static let notConfigured = MountError(.notConfigured, "the KMIP engine has not been configured: write its config (<mount>/config) first")

    /// The KMIP Result Reason for this failure when it surfaces on the KMIP port.
    public var kmipError: KMIPError {
        switch kind {
        case .invalid: return KMIPError(.invalidField, message)
        case .notFound: return KMIPError(.itemNotFound, message)
        case .alreadyExists, .conflict: return KMIPError(.illegalOperation, message)
        case .notConfigured: return KMIPError(.generalFailure, message)
        }
    }
}

extension MountError {
    /// PKI failures in mount calls: parameters and CSRs are the caller's fault.
    static func from(_ error: PKIError) -> MountError {
        switch error.kind {
        case .invalidParameter, .invalidCSR, .keyMismatch: return .invalid(error.message)
        case .notConfigured: return MountError(.notConfigured, error.message)
        case .verificationFailed, .revoked: return .invalid(error.message)
        }
    }
}
