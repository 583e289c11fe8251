import Foundation
import VaultFramework

/// An API answer, before rendering: Vault's envelope is filled in by ``rendered(requestID:)``.
public struct APIResponse: Sendable {
    public enum Body: Sendable {
        /// 204 No Content (becomes a 200 envelope when there are warnings, as in Vault).
        case none
        /// Vault's secret envelope: `data`, `auth`, plus keys copied to the top level (`sys/mounts`).
        case envelope(data: [String: VaultValue]?, auth: [String: VaultValue]?, topLevel: [String: VaultValue])
        /// A JSON document sent as is (`sys/health`, error lists).
        case json(VaultValue)
        /// Text such as Prometheus metrics.
        case text(String, contentType: String)
    }

    public var status: Int
    public var body: Body
    public var warnings: [String]
    /// The matched path pattern (`kmip/scope/:scope`, `sys/mounts/*path`), nil when nothing matched:
    /// a bounded label for metrics, unlike the request path. Set by ``APIRouter``.
    public var route: String?

    public init(status: Int, body: Body, warnings: [String] = []) {
        self.status = status; self.body = body; self.warnings = warnings
    }

    /// 200 with `data`.
    public static func data(_ data: [String: VaultValue], topLevel: [String: VaultValue] = [:]) -> APIResponse {
        APIResponse(status: 200, body: .envelope(data: data, auth: nil, topLevel: topLevel))
    }

    /// 200 with an `auth` block (token creation).
    public static func auth(_ auth: [String: VaultValue]) -> APIResponse {
        APIResponse(status: 200, body: .envelope(data: nil, auth: auth, topLevel: [:]))
    }

    /// 204.
    public static let noContent = APIResponse(status: 204, body: .none)

    /// `{"errors":[…]}` with `status`.
    public static func errors(_ status: Int, _ messages: [String]) -> APIResponse {
        APIResponse(status: status, body: .json(.object(["errors": .list(messages.map(VaultValue.string))])))
    }

    /// Vault's answer to a read of something absent, or a LIST of nothing: 404 `{"errors":[]}`.
    public static let notFound = errors(404, [])

    /// The `data` block, if any (tests read it).
    public var data: [String: VaultValue]? {
        if case .envelope(let data, _, _) = body { return data }
        return nil
    }

    /// The `auth` block, if any.
    public var auth: [String: VaultValue]? {
        if case .envelope(_, let auth, _) = body { return auth }
        return nil
    }

    /// The `errors` list of an error response; empty otherwise (and for Vault's bare 404).
    public var errors: [String] {
        if case .json(let v) = body, let list = v["errors"]?.listValue { return list.compactMap(\.stringValue) }
        return []
    }

    /// The final status, content type and bytes, Vault-shaped.
    public func rendered(requestID: String) -> (status: Int, contentType: String?, body: Data) {
        switch body {
        case .none where warnings.isEmpty:
            return (status, nil, Data())
        case .none:
            return (200, "application/json", envelope(requestID: requestID, data: nil, auth: nil, topLevel: [:]).jsonBytes)
        case .envelope(let data, let auth, let topLevel):
            return (status, "application/json", envelope(requestID: requestID, data: data, auth: auth, topLevel: topLevel).jsonBytes)
        case .json(let value):
            return (status, "application/json", value.jsonBytes)
        case .text(let text, let contentType):
            return (status, contentType, Data(text.utf8))
        }
    }

    func envelope(requestID: String, data: [String: VaultValue]?, auth: [String: VaultValue]?, topLevel: [String: VaultValue]) -> VaultValue {
        var out = topLevel
        out["request_id"] = .string(requestID)
        out["lease_id"] = ""
        out["renewable"] = false
        out["lease_duration"] = 0
        out["data"] = data.map(VaultValue.object) ?? .null
        out["wrap_info"] = .null
        out["warnings"] = warnings.isEmpty ? .null : .list(warnings.map(VaultValue.string))
        out["auth"] = auth.map(VaultValue.object) ?? .null
        return .object(out)
    }
}
