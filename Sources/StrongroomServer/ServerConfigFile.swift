import Foundation
import KMIP
import KMIPEngine
import KMIPStore
import NIOCore
import StrongroomAPI
import StrongroomObservability
import VaultFramework

/// `strongroom server -config FILE`: the production configuration, a JSON file. Unknown keys are
/// refused (a typo must not silently fall back to a default). Example: `docs/strongroom.json`.
///
/// ```json
/// {
///   "storage": { "path": "/var/lib/strongroom" },
///   // or, for several nodes on one database (every node with the same root key):
///   // "storage": { "postgresql": { "connection_url": "postgres://strongroom@db:5432/strongroom?sslmode=verify-full",
///   //                               "max_connections": 16 } },
///   // "node": { "id": "kms-1", "kmip_bind_host": "10.0.0.11" },
///   "root_key": { "file": "/etc/strongroom/root.key" },
///   "api": { "address": "0.0.0.0:8200", "tls_cert_file": "/etc/strongroom/api.pem",
///            "tls_key_file": "/etc/strongroom/api-key.pem" },
///   "log": { "level": "info", "format": "json" },
///   "limits": { "max_message_bytes": 1048576, "max_batch_items": 256, "max_connections": 4096,
///               "idle_timeout": "5m" },
///   "audit": { "directory": "/var/log/strongroom", "allow_api_devices": false,
///              "devices": { "file": { "type": "file", "options": { "file_path": "/var/log/strongroom/audit.log" } } } }
/// }
/// ```
public struct ServerConfigFile: Sendable, Hashable {
    /// Where the SQLite database lives (a directory; created 0700 if missing). Empty with `postgresql`.
    public var storagePath: String
    /// `storage.postgresql`: the shared database of a cluster, instead of SQLite under `storagePath`.
    public var postgresql: PostgreSQLStorage?
    /// `node`: this server's identity among the nodes sharing the database.
    public var node = NodeSettings()
    /// The root key: a 32-byte file (0600), or the name of an environment variable holding it as
    /// 64 hex characters.
    public var rootKey: RootKeySource
    public var apiAddress: String = "127.0.0.1:8200"
    /// Both or neither: TLS on the HTTP API.
    public var apiTLSCertificateFile: String?
    public var apiTLSKeyFile: String?
    /// `api.read_header_timeout`, `api.read_timeout`, `api.idle_timeout`, `api.max_connections`.
    public var apiLimits = APIConnectionLimits()
    /// `api.max_request_size`, bytes.
    public var apiMaxRequestSize = 32 << 20
    public var logLevel: String = "info"
    public var logFormat: LogFormat = .text
    public var limits: Limits = .default
    public var maxConnections: Int = 4096
    /// KMIP connections one client certificate may hold (`limits.max_connections_per_client`).
    public var maxConnectionsPerClient: Int = 256
    /// Seconds.
    public var idleTimeout: Int = 300
    /// Seconds a streamed KMIP operation (Init Indicator … Final Indicator) may last, however busy.
    public var streamLifetime: Int = 600
    /// Threads for CPU-heavy KMIP work (key generation, private-key operations); default: cores − 1.
    public var heavyThreads: Int = HeavyWorkPool.defaultThreads
    /// Heavy operations one credential may have queued; more wait for room (their connections are
    /// not read meanwhile) for at most `heavyQueueTimeout` seconds, then are told the server is busy.
    public var heavyQueuePerClient: Int = HeavyWorkPool.defaultMaxQueuedPerClient
    public var heavyQueueTimeout: Int = Int(HeavyWorkPool.defaultAdmissionTimeout)
    /// Bytes of received, unanswered KMIP requests all connections together may hold
    /// (`limits.max_pipelined_bytes`; each connection may always have one request in flight).
    public var maxPipelinedBytes: Int = 64 << 20
    /// What `sys/audit` may enable (nothing by default: devices are declared here).
    public var auditRules = AuditRules()
    /// Devices enabled at every start; the API cannot change or disable them.
    public var auditDevices: [AuditDeviceRecord] = []
    /// `experiments`: Vault's server experiments to run with (`kmip.client_api.alpha1`).
    public var experiments: [String] = []

    public enum RootKeySource: Sendable, Hashable {
        case file(String)
        case environment(String)
    }

    public enum LogFormat: String, Sendable, Hashable { case text, json }

    /// `storage.postgresql` (Vault's key names): `connection_url` (libpq's URL; `sslmode`,
    /// `sslrootcert`, `sslcert`, `sslkey` in its query), `max_connections` (the node's pool).
    public struct PostgreSQLStorage: Sendable, Hashable {
        public var connectionURL: String
        public var maxConnections: Int = PostgresStore.defaultMaxConnections
        public init(connectionURL: String) { self.connectionURL = connectionURL }
    }

    /// `node`: `id` (default: the host name) and `kmip_bind_host`, which replaces the host part of
    /// every mount's `listen_addrs` on this node (several nodes on one host; ports stay as configured).
    public struct NodeSettings: Sendable, Hashable {
        public var id: String?
        public var kmipBindHost: String?
        public init(id: String? = nil, kmipBindHost: String? = nil) { self.id = id; self.kmipBindHost = kmipBindHost }
    }

    public init(storagePath: String, rootKey: RootKeySource) {
        self.storagePath = storagePath
        self.rootKey = rootKey
    }

    /// Checks experiment names against the ones this server knows (Vault refuses unknown ones too).
    public static func experiments(_ names: [String]) throws -> Set<String> {
        for name in names where !APIExperiments.available.contains(name) {
            throw ConfigFileError("unknown experiment \"\(name)\" (available: \(APIExperiments.available.joined(separator: ", ")))")
        }
        return Set(names)
    }

    /// Reads and validates `path`; every error names the offending key.
    public static func load(_ path: String) throws -> ServerConfigFile {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConfigFileError("cannot read \(path): \(error.localizedDescription)")
        }
        guard data.count <= 1 << 20 else { throw ConfigFileError("\(path) is larger than 1 MiB") }
        let value: VaultValue
        do { value = try VaultValue.parse(data) } catch {
            throw ConfigFileError("\(path) is not valid JSON: \(error)")
        }
        guard case .object(let root) = value else { throw ConfigFileError("\(path) must hold a JSON object") }
        return try parse(root)
    }

    static func parse(_ root: [String: VaultValue]) throws -> ServerConfigFile {
        var reader = Section(root, name: "")
        try reader.allow(["storage", "root_key", "api", "log", "limits", "audit", "node", "experiments"])
        var storage = try reader.section("storage", required: true)
        try storage.allow(["path", "postgresql"])
        var rootKey = try reader.section("root_key", required: true)
        try rootKey.allow(["file", "env"])
        let source: RootKeySource
        switch (try rootKey.string("file"), try rootKey.string("env")) {
        case (let file?, nil): source = .file(file)
        case (nil, let variable?): source = .environment(variable)
        default: throw ConfigFileError("root_key needs exactly one of \"file\" and \"env\"")
        }
        let path = try storage.string("path") ?? ""
        var config = ServerConfigFile(storagePath: path, rootKey: source)
        if let listed = reader.values["experiments"] {
            guard let names = listed.listValue?.compactMap(\.stringValue), names.count == listed.listValue?.count else {
                throw ConfigFileError("\"experiments\" must be a list of names")
            }
            config.experiments = Array(try experiments(names)).sorted()
        }
        if storage.values["postgresql"] != nil {
            guard path.isEmpty else { throw ConfigFileError("storage.path (SQLite) and storage.postgresql exclude each other") }
            var postgresql = try storage.section("postgresql")
            try postgresql.allow(["connection_url", "max_connections"])
            guard let url = try postgresql.string("connection_url"), !url.isEmpty else {
                throw ConfigFileError("storage.postgresql.connection_url is required")
            }
            config.postgresql = PostgreSQLStorage(connectionURL: url)
            if let n = try postgresql.int("max_connections", in: 1...1_000) { config.postgresql?.maxConnections = n }
        } else if path.isEmpty {
            throw ConfigFileError("storage needs \"path\" (SQLite) or \"postgresql\"")
        }
        var node = try reader.section("node")
        try node.allow(["id", "kmip_bind_host"])
        config.node.id = try node.string("id")
        if let host = try node.string("kmip_bind_host") {
            guard !host.isEmpty, !host.contains(" "), !host.contains("/") else { throw ConfigFileError("node.kmip_bind_host must be a host name or IP address") }
            config.node.kmipBindHost = host
        }

        var api = try reader.section("api")
        try api.allow(["address", "tls_cert_file", "tls_key_file", "read_header_timeout", "read_timeout", "idle_timeout",
                       "max_connections", "max_request_size"])
        if let n = try api.duration("read_header_timeout", in: 1...3_600) { config.apiLimits.readHeaderTimeout = .seconds(Int64(n)) }
        if let n = try api.duration("read_timeout", in: 1...3_600) { config.apiLimits.readTimeout = .seconds(Int64(n)) }
        if let n = try api.duration("idle_timeout", in: 1...86_400) { config.apiLimits.idleTimeout = .seconds(Int64(n)) }
        if let n = try api.int("max_connections", in: 1...1_000_000) { config.apiLimits.maxConnections = n }
        if let n = try api.int("max_request_size", in: 1024...(1 << 30)) { config.apiMaxRequestSize = n }
        if let address = try api.string("address") { config.apiAddress = address }
        config.apiTLSCertificateFile = try api.string("tls_cert_file")
        config.apiTLSKeyFile = try api.string("tls_key_file")
        guard (config.apiTLSCertificateFile == nil) == (config.apiTLSKeyFile == nil) else {
            throw ConfigFileError("api.tls_cert_file and api.tls_key_file go together")
        }

        var log = try reader.section("log")
        try log.allow(["level", "format"])
        if let level = try log.string("level") { config.logLevel = level }
        if let format = try log.string("format") {
            guard let parsed = LogFormat(rawValue: format) else { throw ConfigFileError("log.format is \"text\" or \"json\"") }
            config.logFormat = parsed
        }

        var limits = try reader.section("limits")
        try limits.allow(["max_message_bytes", "max_batch_items", "max_depth", "max_connections", "idle_timeout",
                          "stream_lifetime", "heavy_threads", "heavy_queue_per_client", "heavy_queue_timeout", "max_connections_per_client",
                          "max_pipelined_bytes"])
        if let n = try limits.int("max_connections_per_client", in: 1...1_000_000) { config.maxConnectionsPerClient = n }
        if let n = try limits.int("max_message_bytes", in: 1024...(64 << 20)) { config.limits.maxMessageBytes = n }
        if let n = try limits.int("max_batch_items", in: 1...100_000) { config.limits.maxBatchItems = n }
        if let n = try limits.int("max_depth", in: 4...256) { config.limits.maxDepth = n }
        if let n = try limits.int("max_connections", in: 1...1_000_000) { config.maxConnections = n }
        if let n = try limits.duration("idle_timeout", in: 1...86_400) { config.idleTimeout = n }
        if let n = try limits.duration("stream_lifetime", in: 1...86_400) { config.streamLifetime = n }
        if let n = try limits.int("heavy_threads", in: 1...256) { config.heavyThreads = n }
        if let n = try limits.int("heavy_queue_per_client", in: 1...10_000) { config.heavyQueuePerClient = n }
        if let n = try limits.duration("heavy_queue_timeout", in: 1...3_600) { config.heavyQueueTimeout = n }
        if let n = try limits.int("max_pipelined_bytes", in: (1 << 20)...(1 << 34)) { config.maxPipelinedBytes = n }
        try parseAudit(try reader.section("audit"), into: &config)
        return config
    }

    static func parseAudit(_ section: Section, into config: inout ServerConfigFile) throws {
        var audit = section
        try audit.allow(["directory", "allow_api_devices", "allow_audit_log_prefixing", "devices"])
        if let directory = try audit.string("directory") {
            guard directory.hasPrefix("/") else { throw ConfigFileError("\"audit.directory\" must be an absolute path") }
            config.auditRules.directory = directory
        }
        config.auditRules.allowAPIDevices = try audit.bool("allow_api_devices") ?? false
        config.auditRules.allowPrefix = try audit.bool("allow_audit_log_prefixing") ?? false
        let devices = try audit.section("devices")
        for name in devices.values.keys.sorted() {
            var device = try devices.section(name)
            try device.allow(["type", "description", "options"])
            var options: [String: String] = [:]
            for (key, value) in try device.section("options").values {
                switch value {
                case .string(let s): options[key] = s
                case .bool(let b): options[key] = String(b)
                case .number(let n) where n.int != nil: options[key] = n.literal
                default: throw ConfigFileError("\"audit.devices.\(name).options.\(key)\" must be a string, number or boolean")
                }
            }
            let record = AuditDeviceRecord(path: name, type: try device.string("type") ?? "file",
                                           description: try device.string("description") ?? "", options: options)
            do { _ = try AuditDeviceOptions(record, origin: .declared, rules: config.auditRules) } catch {
                throw ConfigFileError("\"audit.devices.\(name)\": \(error.message)")
            }
            config.auditDevices.append(record)
        }
    }

    /// One JSON object of the file, read key by key.
    struct Section {
        let values: [String: VaultValue]
        let name: String

        init(_ values: [String: VaultValue], name: String) { self.values = values; self.name = name }

        func key(_ k: String) -> String { name.isEmpty ? k : "\(name).\(k)" }

        func allow(_ keys: Set<String>) throws {
            if let unknown = values.keys.sorted().first(where: { !keys.contains($0) }) {
                throw ConfigFileError("unknown key \"\(key(unknown))\" (known: \(keys.sorted().joined(separator: ", ")))")
            }
        }

        func section(_ k: String, required: Bool = false) throws -> Section {
            guard let value = values[k] else {
                if required { throw ConfigFileError("\"\(key(k))\" is required") }
                return Section([:], name: key(k))
            }
            guard case .object(let object) = value else { throw ConfigFileError("\"\(key(k))\" must be an object") }
            return Section(object, name: key(k))
        }

        func string(_ k: String) throws -> String? {
            guard let value = values[k] else { return nil }
            guard case .string(let s) = value else { throw ConfigFileError("\"\(key(k))\" must be a string") }
            return s
        }

        func bool(_ k: String) throws -> Bool? {
            guard let value = values[k] else { return nil }
            guard case .bool(let b) = value else { throw ConfigFileError("\"\(key(k))\" must be true or false") }
            return b
        }

        func int(_ k: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let value = values[k] else { return nil }
            guard let n = value.intValue, range.contains(n) else {
                throw ConfigFileError("\"\(key(k))\" must be an integer in \(range.lowerBound)...\(range.upperBound)")
            }
            return n
        }

        /// Seconds, from an integer or a duration string (`"30s"`, `"5m"`, `"1h"`).
        func duration(_ k: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let value = values[k] else { return nil }
            if case .string(let text) = value {
                // Vault's duration syntax, the one parser the API's fields use too ("90s", "1h30m", "1.5h").
                guard let seconds = try? VaultDuration.seconds(parsing: text, field: key(k)), range.contains(seconds) else {
                    throw ConfigFileError("\"\(key(k))\" must be seconds or a duration like \"30s\", \"5m\", \"1h30m\" (\(range.lowerBound)–\(range.upperBound) s)")
                }
                return seconds
            }
            return try int(k, in: range)
        }
    }
}

/// A configuration file that cannot be used; the message names the key.
public struct ConfigFileError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
