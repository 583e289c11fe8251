import Foundation
import VaultFramework

/// A failed API call, worded as Vault's Go client words it (`api.ResponseError`).
public struct VaultAPIError: Error, Equatable, CustomStringConvertible {
    public var method: String
    public var url: String
    public var status: Int
    public var errors: [String]
    /// The body was not `{"errors":[…]}`; `errors` holds it verbatim.
    public var raw: Bool

    public init(method: String, url: String, status: Int, body: Data) {
        self.method = method
        self.url = url
        self.status = status
        if case .object(let o)? = try? VaultValue.parse(body), let list = Self.errorList(o["errors"]) {
            errors = list
            raw = false
        } else {
            errors = [String(decoding: body, as: UTF8.self)]
            raw = true
        }
    }

    private static func errorList(_ value: VaultValue?) -> [String]? {
        switch value {
        case nil, .null?: return []
        case .list(let items)?:
            let strings = items.compactMap(\.stringValue)
            return strings.count == items.count ? strings : nil
        default: return nil
        }
    }

    public var description: String {
        var s = "Error making API request.\n\nURL: \(method) \(url)\nCode: \(status). \(raw ? "Raw Message" : "Errors"):\n\n"
        if raw && errors.count == 1 {
            s += errors[0]
        } else {
            for e in errors { s += "* \(e)" }
        }
        return s
    }
}

/// Everything that can stop a call before or after the server answers.
public enum ClientError: Error, Equatable, CustomStringConvertible {
    case api(VaultAPIError)
    case transport(method: String, url: String, message: String)
    case invalidResponse(String)
    case configuration(String)

    public var description: String {
        switch self {
        case .api(let e): return e.description
        case .transport(let method, let url, let message): return "\(method) \(url): \(message)"
        case .invalidResponse(let m): return m
        case .configuration(let m): return m
        }
    }
}

/// Vault's HTTP API, as `vault`'s Go client calls it: `/v1/<path>`, `X-Vault-Token`,
/// LIST sent as `GET ?list=true`, writes as PUT.
public struct VaultClient: Sendable {
    public let configuration: ClientConfiguration
    public let transport: any HTTPTransport

    public init(configuration: ClientConfiguration, transport: any HTTPTransport) {
        self.configuration = configuration
        self.transport = transport
    }

    /// The request for `path` (no leading or trailing slashes needed). Query keys sorted, as Go encodes them.
    public func request(method: String, path: String, query: [String: [String]] = [:], body: VaultValue? = nil) throws(ClientError) -> HTTPRequest {
        let trimmed = path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let encodedPath = trimmed.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? trimmed
        var text = configuration.address + "/v1/" + encodedPath
        let pairs = query.keys.sorted().flatMap { key in query[key]!.map { Self.queryEscape(key) + "=" + Self.queryEscape($0) } }
        if !pairs.isEmpty { text += "?" + pairs.joined(separator: "&") }
        guard let url = URL(string: text), url.scheme != nil, url.host != nil else {
            throw ClientError.configuration("invalid address \(configuration.address)")
        }
        var headers = ["X-Vault-Request": "true"]
        if let token = configuration.token { headers["X-Vault-Token"] = token }
        var data: Data?
        if let body {
            headers["Content-Type"] = "application/json"
            data = Data(body.compactJSON.utf8)
        }
        return HTTPRequest(method: method, url: url, headers: headers, body: data)
    }

    /// Go's `url.QueryEscape`.
    static func queryEscape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-_.~ ")
        let escaped = s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
        return escaped.replacingOccurrences(of: " ", with: "+")
    }

    /// Sends; only a failure to get any answer throws here.
    func exchange(_ request: HTTPRequest) async throws(ClientError) -> HTTPResponse {
        do {
            return try await transport.send(request)
        } catch {
            throw .transport(method: request.method, url: request.url.absoluteString, message: "\(error)")
        }
    }

    /// Sends and returns the response; >= 400 becomes ``ClientError/api(_:)``.
    func perform(_ request: HTTPRequest) async throws(ClientError) -> HTTPResponse {
        let response = try await exchange(request)
        guard (200..<400).contains(response.status) else {
            throw .api(VaultAPIError(method: request.method, url: request.url.absoluteString, status: response.status, body: response.body))
        }
        return response
    }

    static func secret(_ body: Data) throws(ClientError) -> Secret? {
        do { return try Secret.parse(body) } catch { throw .invalidResponse("\(error)") }
    }

    /// GET; a 404 is "nothing there" (nil) unless its body carries data or warnings.
    public func read(_ path: String, query: [String: [String]] = [:]) async throws(ClientError) -> Secret? {
        try await readLike(try request(method: "GET", path: path, query: query))
    }

    /// `GET ?list=true`, with read's 404 rule.
    public func list(_ path: String) async throws(ClientError) -> Secret? {
        try await readLike(try request(method: "GET", path: path, query: ["list": ["true"]]))
    }

    private func readLike(_ request: HTTPRequest) async throws(ClientError) -> Secret? {
        let response = try await exchange(request)
        if response.status == 404 {
            // Vault's Logical().Read: a 404 is absence unless its body carries data or warnings.
            guard let secret = try? Secret.parse(response.body), secret.hasContent else { return nil }
            return secret
        }
        guard (200..<400).contains(response.status) else {
            throw .api(VaultAPIError(method: request.method, url: request.url.absoluteString, status: response.status, body: response.body))
        }
        return try Self.secret(response.body)
    }

    /// PUT with a JSON body; an empty answer (204) is nil.
    public func write(_ path: String, data: [String: VaultValue]) async throws(ClientError) -> Secret? {
        try Self.secret(try await perform(try request(method: "PUT", path: path, body: .object(data))).body)
    }

    public func delete(_ path: String, query: [String: [String]] = [:]) async throws(ClientError) -> Secret? {
        try Self.secret(try await perform(try request(method: "DELETE", path: path, query: query)).body)
    }

    /// `POST sys/mounts/<path>` (Vault's `Sys().Mount`).
    public func mount(_ path: String, type: String, description: String) async throws(ClientError) {
        let body: VaultValue = .object([
            "type": .string(type), "description": .string(description), "config": .object([:]),
            "local": .bool(false), "seal_wrap": .bool(false), "external_entropy_access": .bool(false),
        ])
        _ = try await perform(try request(method: "POST", path: "sys/mounts/" + path, body: body))
    }

    /// `DELETE sys/mounts/<path>`.
    public func unmount(_ path: String) async throws(ClientError) {
        _ = try await perform(try request(method: "DELETE", path: "sys/mounts/" + path))
    }

    /// `GET sys/mounts`: the mounts under `data` (Vault also copies them to the top level).
    public func listMounts() async throws(ClientError) -> [String: VaultValue] {
        let response = try await perform(try request(method: "GET", path: "sys/mounts"))
        guard let secret = try Self.secret(response.body), let data = secret.data else {
            throw .invalidResponse("data from server response is empty")
        }
        return data
    }
}
