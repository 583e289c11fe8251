import Foundation
import VaultFramework

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
    public var body: [String: VaultValue]
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

    public init(_ operation: APIOperation, _ path: String, body: [String: VaultValue] = [:],
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
    public var data: [String: VaultValue] {
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

extension APIRequest {
    /// An HTTP request as Vault's API reads it, once off the socket (the listener and the fuzz
    /// target both use this): the path must be `/v1` or under `/v1/` and is percent-decoded first
    /// (Go's net/http hands Vault the decoded path); the query is split and decoded as Go's
    /// `net/url` does; GET and HEAD read (`?list=true` lists), LIST lists, POST and PUT write,
    /// DELETE deletes, other methods are 405; a body must be a JSON object (or `null`).
    public static func http(method: String, path: String, query: String?, token: String?, body: [UInt8],
                            requestID: String, remoteAddress: String? = nil) throws(APIError) -> APIRequest {
        let rawPath = path.removingPercentEncoding ?? path
        guard rawPath == "/v1" || rawPath.hasPrefix("/v1/") else { throw APIError.notFound }
        let items = parseQuery(query)
        let listFlag = items.contains { $0.name == "list" && ["true", "1", "t"].contains($0.value.lowercased()) }
        let operation: APIOperation
        switch method {
        case "GET", "HEAD": operation = listFlag ? .list : .read
        case "LIST": operation = .list
        case "POST", "PUT": operation = .write
        case "DELETE": operation = .delete
        default: throw APIError(status: 405, ["unsupported method \(method)"])
        }
        var fields: [String: VaultValue] = [:]
        if !body.isEmpty {
            let parsed: VaultValue
            do { parsed = try VaultValue.parse(Data(body)) } catch {
                throw APIError.invalid("failed to parse JSON input: \(error)")
            }
            switch parsed {
            case .object(let o): fields = o
            case .null: break
            default: throw APIError.invalid("failed to parse JSON input: expected a JSON object")
            }
        }
        var request = APIRequest(operation, String(rawPath.dropFirst(3)), body: fields, query: items, token: token,
                                 requestID: requestID, remoteAddress: remoteAddress)
        request.httpMethod = method
        return request
    }

    /// `a=1&b=x%20y+z` → pairs, percent- and `+`-decoded as Go's `net/url` does.
    static func parseQuery(_ query: String?) -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        func decode(_ s: Substring) -> String {
            let spaced = s.replacingOccurrences(of: "+", with: " ")
            return spaced.removingPercentEncoding ?? spaced
        }
        return query.split(separator: "&").map { item in
            if let eq = item.firstIndex(of: "=") {
                return (decode(item[..<eq]), decode(item[item.index(after: eq)...]))
            }
            return (decode(item), "")
        }
    }
}
