import Foundation
import KMIP
import KMIPEngine

/// One audit log line. It carries who, what, on which objects and how it ended — never request or
/// response bodies, tokens, key material or payload bytes: the types below have no field for them.
public struct AuditEntry: Sendable, Hashable {
    public enum EntryType: String, Sendable, Hashable {
        case request, response
        case kmipRequest = "kmip_request"
        case kmipResponse = "kmip_response"
    }

    /// The caller of an API request, as its token describes it (never the token itself).
    public struct Auth: Sendable, Hashable {
        public var accessor: String
        public var displayName: String
        public var policies: [String]
        public init(accessor: String, displayName: String = "", policies: [String] = []) {
            self.accessor = accessor; self.displayName = displayName; self.policies = policies
        }
    }

    public struct Request: Sendable, Hashable {
        public var id: String
        /// Vault's operation: read, update, create, list, delete.
        public var operation: String
        public var path: String
        public var remoteAddress: String?
    }

    public struct KMIPFields: Sendable, Hashable {
        /// The KMIP mount's path, when the observer knows it.
        public var mount: String?
        public var operation: String
        /// The scope's name when the observer could look it up, else its id.
        public var scope: String
        public var scopeID: String
        /// The role's name when known, else its id.
        public var role: String
        public var serial: String
        public var uniqueIdentifiers: [String]
        public var protocolVersion: String
        public var batchIndex: Int
        public var resultStatus: String?
        public var resultReason: String?
        public var durationMS: Double?
    }

    public var time: Date
    public var type: EntryType
    public var auth: Auth?
    public var request: Request?
    /// The HTTP status of an API response.
    public var status: Int?
    public var error: String?
    public var kmip: KMIPFields?
    public var connection: UInt64?

    /// An API request (`type` request) or its response (`status` set).
    public static func api(_ type: EntryType, time: Date = Date(), id: String, operation: String, path: String,
                           remoteAddress: String?, auth: Auth?, status: Int? = nil, error: String? = nil) -> AuditEntry {
        AuditEntry(time: time, type: type, auth: auth,
                   request: Request(id: id, operation: operation, path: path, remoteAddress: remoteAddress),
                   status: status, error: error)
    }

    /// A KMIP batch item before (`kmip_request`) or after (`kmip_response`, result set) it ran.
    public static func kmip(_ event: KMIPRequestEvent, mount: String? = nil, scopeName: String? = nil) -> AuditEntry {
        let operation = event.operation.map { "\($0)" } ?? "unknown"
        let fields = KMIPFields(
            mount: mount, operation: operation, scope: scopeName ?? event.scopeID, scopeID: event.scopeID,
            role: event.roleName ?? event.roleID,
            serial: event.clientSerial, uniqueIdentifiers: Self.bounded(event.uniqueIdentifiers),
            protocolVersion: "\(event.protocolVersion.major).\(event.protocolVersion.minor)",
            batchIndex: event.batchIndex,
            resultStatus: event.resultStatus.map { "\($0)" }, resultReason: event.resultReason.map { "\($0)" },
            durationMS: event.duration.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 })
        return AuditEntry(time: event.time, type: event.resultStatus == nil ? .kmipRequest : .kmipResponse,
                          kmip: fields, connection: event.connection)
    }

    /// Identifiers come from clients (Import and Register choose them; a request may name any):
    /// at most this many per entry, each cut to this many bytes, so a client cannot make the
    /// audit log grow by more than a bounded amount per request.
    public static let maxIdentifiers = 32
    public static let maxIdentifierBytes = 128

    static func bounded(_ identifiers: [String]) -> [String] {
        var out = identifiers.prefix(maxIdentifiers).map { id -> String in
            guard id.utf8.count > maxIdentifierBytes else { return id }
            // Cut on a character boundary, and say so.
            var cut = Substring(id)
            while cut.utf8.count > maxIdentifierBytes - 3 { cut = cut.dropLast() }
            return cut + "…"
        }
        if identifiers.count > maxIdentifiers { out.append("… \(identifiers.count - maxIdentifiers) more") }
        return out
    }

    /// The entry as one JSON object followed by a line feed.
    public func jsonLine(prefix: String = "") -> String {
        var json = JSONObject()
        json.add("time", AuditTime.rfc3339(time))
        json.add("type", type.rawValue)
        if let auth {
            var a = JSONObject()
            a.add("accessor", auth.accessor)
            a.add("display_name", auth.displayName)
            a.add("policies", auth.policies)
            json.addRaw("auth", a.text)
        }
        if let request {
            var r = JSONObject()
            r.add("id", request.id)
            r.add("operation", request.operation)
            r.add("path", request.path)
            if let address = request.remoteAddress { r.add("remote_address", address) }
            json.addRaw("request", r.text)
        }
        if let status {
            var r = JSONObject()
            r.addRaw("status", String(status))
            json.addRaw("response", r.text)
        }
        if let kmip { json.addRaw("kmip", kmip.json) }
        if let connection { json.addRaw("connection", String(connection)) }
        if let error { json.add("error", error) }
        return prefix + json.text + "\n"
    }
}

extension AuditEntry.KMIPFields {
    var json: String {
        var k = JSONObject()
        if let mount { k.add("mount", mount) }
        k.add("operation", operation)
        k.add("scope", scope)
        k.add("scope_id", scopeID)
        k.add("role", role)
        k.add("serial", serial)
        k.add("unique_identifiers", uniqueIdentifiers)
        k.add("protocol_version", protocolVersion)
        k.addRaw("batch_index", String(batchIndex))
        if let resultStatus { k.add("result_status", resultStatus) }
        if let resultReason { k.add("result_reason", resultReason) }
        if let durationMS { k.addRaw("duration_ms", String(format: "%.3f", durationMS)) }
        return k.text
    }
}

/// A JSON object written in insertion order (stable, greppable lines).
struct JSONObject {
    private var body = "{"
    private var empty = true

    var text: String { body + "}" }

    mutating func addRaw(_ key: String, _ raw: String) {
        if !empty { body += "," }
        empty = false
        body += JSONValue.quote(key) + ":" + raw
    }

    mutating func add(_ key: String, _ value: String) { addRaw(key, JSONValue.quote(value)) }

    mutating func add(_ key: String, _ values: [String]) {
        addRaw(key, "[" + values.map(JSONValue.quote).joined(separator: ",") + "]")
    }
}

enum AuditTime {
    /// `2026-11-29T14:28:45.123456Z`
    static func rfc3339(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        var seconds = time_t(t.rounded(.down))
        let micros = Int((t - t.rounded(.down)) * 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), min(micros, 999_999))
    }
}
