import KMIPEngine
import KMIPStore

/// A failure that the API answers as Vault's `{"errors":["…"]}` with ``status``.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    public var status: Int
    /// Empty for Vault's bare 404 `{"errors":[]}`.
    public var messages: [String]

    public init(status: Int, _ messages: [String]) { self.status = status; self.messages = messages }

    public var description: String { "\(status): \(messages.joined(separator: "; "))" }

    public static func invalid(_ message: String) -> APIError { APIError(status: 400, [message]) }
    /// An absent, unknown or expired token.
    public static let permissionDenied = APIError(status: 403, ["permission denied"])
    /// A valid token whose policies do not grant the request: Vault's multierror text.
    public static let policyDenied = APIError(status: 403, ["1 error occurred:\n\t* permission denied\n\n"])
    public static let notFound = APIError(status: 404, [])
    public static func notFound(_ message: String) -> APIError { APIError(status: 404, [message]) }
    public static let unsupportedOperation = APIError(status: 405, ["unsupported operation"])
    public static func unsupportedPath(_ path: String) -> APIError {
        APIError(status: 404, ["no handler for route \"\(path)\". route entry not found."])
    }
    public static func `internal`(_ message: String) -> APIError { APIError(status: 500, [message]) }
    public static let auditFailed = APIError(status: 500, ["audit logging failed"])

    public var response: APIResponse { .errors(status, messages) }

    /// Any error as an API error: mount errors by kind, store errors by reason, others 500.
    public static func from(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as MountError:
            switch e.kind {
            case .invalid, .alreadyExists, .conflict, .notConfigured: return .invalid(e.message)
            case .notFound: return .notFound(e.message)
            }
        case let e as StoreError:
            switch e.reason {
            case .itemNotFound: return .notFound(e.message)
            case .illegalOperation, .invalidField: return .invalid(e.message)
            // The database cannot be reached: the node is not serving (Vault answers 503 when it cannot).
            case .generalFailure where e.message.hasPrefix(StoreError.unavailablePrefix):
                return APIError(status: 503, ["the storage backend is unavailable; retry later"])
            default: return .internal("internal error")
            }
        case is RecordIntegrityError:
            return .internal("a stored record failed its integrity check; the server refused to use it")
        default:
            return .internal("internal error")
        }
    }
}
