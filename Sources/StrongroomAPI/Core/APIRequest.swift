import Foundation

/// Vault's logical operations. HTTP GET is `read` (or `list` with `?list=true`), LIST is `list`,
/// POST and PUT are `write` (Vault's create/update; no path here tells them apart), DELETE is `delete`.
public enum APIOperation: String, Sendable, Hashable, CaseIterable {
    case read, list, write, delete
}

/// One API call, transport-free: what the HTTP adapter builds and what tests send straight to ``APIRouter``.
public struct APIRequest: Sendable, CustomStringConvertible {
    public var operation: APIOperation
    /// Relative to `/v1/`, without leading or trailing slashes (`kmip/scope/s1`).
    public var path: String
    /// Query items in order, percent-decoded. `list` is consumed by the adapter.
    public var query: [(name: String, value: String)]
    /// The JSON body's top-level fields (empty for no body).
    public var body: [String: APIValue]
    /// `X-Vault-Token` or `Authorization: Bearer`. Secret: never in `description`.
    public var token: String?
    /// Unique per request; echoed as `request_id`.
    public var requestID: String
    /// The caller's address, for audit (nil in-process).
    public var remoteAddress: String?
    /// The HTTP method as received (`LIST` arrives as `GET ?list=true`); nil in-process.
    public var httpMethod: String?

    /// Same as ``requestID``.
    public var id: String { requestID }
    /// The HTTP method, or the one Vault's clients use for ``operation``.
    public var method: String {
        if let httpMethod { return httpMethod }
        switch operation {
        case .read: return "GET"
        case .list: return "LIST"
        case .write: return "POST"
        case .delete: return "DELETE"
        }
    }

    public init(_ operation: APIOperation, _ path: String, body: [String: APIValue] = [:],
                query: [(name: String, value: String)] = [], token: String? = nil,
                requestID: String = UUID().uuidString.lowercased(), remoteAddress: String? = nil) {
        self.operation = operation
        self.path = APIRequest.normalize(path)
        self.query = query
        self.body = body
        self.token = token
        self.requestID = requestID
        self.remoteAddress = remoteAddress
    }

    /// Strips a leading `/v1/` or `/` and trailing slashes.
    public static func normalize(_ path: String) -> String {
        var p = Substring(path)
        while p.hasPrefix("/") { p = p.dropFirst() }
        if p.hasPrefix("v1/") { p = p.dropFirst(3) }
        while p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }

    /// Body fields, then query items for names the body lacks (Vault reads `force`, `serial_number`
    /// from the query of DELETE and GET).
    public var data: [String: APIValue] {
        var out = body
        for item in query where item.name != "list" && out[item.name] == nil { out[item.name] = .string(item.value) }
        return out
    }

    public var description: String { "\(operation.rawValue) \(path)" }

    /// This request with `token` cleared (what observers see).
    public var withoutToken: APIRequest {
        var copy = self
        copy.token = nil
        return copy
    }
}
