import Foundation
import VaultFramework

/// Vault's response envelope (`api.Secret`): what `read`, `write` and `list` print.
public struct Secret: Sendable, Equatable {
    public var requestID = ""
    public var leaseID = ""
    public var leaseDuration = 0
    public var renewable = false
    public var data: [String: VaultValue]?
    public var warnings: [String]?
    public var auth: VaultValue?
    public var wrapInfo: VaultValue?
    public var mountType = ""

    public init(data: [String: VaultValue]? = nil, warnings: [String]? = nil) {
        self.data = data
        self.warnings = warnings
    }

    /// Decodes a response body; an empty body is no secret (Vault's `ParseSecret`).
    public static func parse(_ body: Data) throws -> Secret? {
        if body.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) { return nil }
        guard case .object(let o) = try VaultValue.parse(body) else {
            throw JSONParseError(description: "response is not a JSON object")
        }
        var s = Secret()
        s.requestID = o["request_id"]?.stringValue ?? ""
        s.leaseID = o["lease_id"]?.stringValue ?? ""
        if case .number(let n)? = o["lease_duration"] { s.leaseDuration = n.int ?? 0 }
        if case .bool(let b)? = o["renewable"] { s.renewable = b }
        switch o["data"] {
        case .object(let d)?: s.data = d
        case nil, .null?: s.data = nil
        default: throw JSONParseError(description: "response data is not a JSON object")
        }
        if case .list(let w)? = o["warnings"] { s.warnings = w.compactMap(\.stringValue) }
        if let a = o["auth"], a != .null { s.auth = a }
        if let w = o["wrap_info"], w != .null { s.wrapInfo = w }
        s.mountType = o["mount_type"]?.stringValue ?? ""
        return s
    }

    /// Whether Vault would treat a 404 body as a secret (data or warnings present).
    var hasContent: Bool { !(data ?? [:]).isEmpty || !(warnings ?? []).isEmpty }

    /// `json.MarshalIndent(secret, "", "  ")`: api.Secret's field order, omitempty where Go has it.
    public var indentedJSON: String {
        var lines = [
            "  \"request_id\": " + VaultValue.quote(requestID),
            "  \"lease_id\": " + VaultValue.quote(leaseID),
            "  \"lease_duration\": \(leaseDuration)",
            "  \"renewable\": \(renewable)",
            "  \"data\": " + (data.map { VaultValue.object($0) } ?? .null).indentedJSON(indent: "  "),
            "  \"warnings\": " + (warnings.map { VaultValue.list($0.map(VaultValue.string)) } ?? .null).indentedJSON(indent: "  "),
        ]
        if let auth { lines.append("  \"auth\": " + auth.indentedJSON(indent: "  ")) }
        if let wrapInfo { lines.append("  \"wrap_info\": " + wrapInfo.indentedJSON(indent: "  ")) }
        if !mountType.isEmpty { lines.append("  \"mount_type\": " + VaultValue.quote(mountType)) }
        return "{\n" + lines.joined(separator: ",\n") + "\n}"
    }
}
