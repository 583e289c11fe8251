import KMIPStore

/// Where audit devices may come from and write: the server's own configuration, never a token.
/// Vault's CVE-2025-6000 ran code through `sys/audit` (a log file placed where a program reads it,
/// an executable mode, a prefix that forms a line of the attacker's choosing); OpenBao's answer,
/// followed here, is that devices are declared in the config file and the API may add file
/// devices only where the operator allows it, inside one directory.
public struct AuditRules: Sendable, Hashable {
    /// The only directory API-enabled file devices may write in (config `audit.directory`; dev
    /// mode: `<dev-data-dir>/audit`). Nil: API devices may only be `stdout` or `discard`.
    public var directory: String?
    /// Config `audit.allow_api_devices` (dev mode: true). False: `sys/audit/:path` refuses to enable.
    public var allowAPIDevices: Bool
    /// Config `audit.allow_audit_log_prefixing`: `prefix` is refused otherwise, on every device.
    public var allowPrefix: Bool

    public init(directory: String? = nil, allowAPIDevices: Bool = false, allowPrefix: Bool = false) {
        self.directory = directory; self.allowAPIDevices = allowAPIDevices; self.allowPrefix = allowPrefix
    }
}

/// Who asked for a device: the operator's config file (trusted paths), or a token through the API.
public enum AuditDeviceOrigin: Sendable, Hashable {
    case declared
    case api
}

/// A `file` audit device's options, validated: what `AuditDeviceRecord.options` may hold.
public struct AuditDeviceOptions: Sendable, Hashable {
    public enum Destination: Sendable, Hashable {
        /// A path the operator declared in the config file.
        case file(String)
        /// A file enabled through the API: `name` inside `directory`, opened relative to it without
        /// following links, created exclusively or appended only if it is a regular file of ours.
        case confined(directory: String, name: String)
        case stdout
        /// Vault's `discard`: entries are formatted and dropped (tests, benchmarks).
        case discard
    }

    public var destination: Destination
    /// A failed write fails the request being audited.
    public var failClosed: Bool
    /// Permissions a new log file gets; 0 leaves an existing file's as they are (Vault's `0000`).
    public var mode: UInt32
    /// Text written before each JSON line (Vault's `prefix`).
    public var prefix: String

    public static let supported: [String] = ["file_path", "fail_closed", "mode", "log_raw", "format", "prefix"]

    /// Refuses an unknown type, a missing or relative `file_path`, a bad boolean or mode, `log_raw=true`
    /// (raw entries would hold secrets; Strongroom never writes them) and any option it does not know;
    /// then what ``AuditRules`` forbid: a mode with an execute bit, a prefix unless allowed or with
    /// a control character, and for API devices a file outside the audit directory.
    public init(_ record: AuditDeviceRecord, origin: AuditDeviceOrigin = .declared, rules: AuditRules = AuditRules()) throws(AuditError) {
        guard record.type == "file" else {
            throw AuditError(.invalidOption, "audit device type \"\(record.type)\" is not supported; use \"file\"")
        }
        let options = record.options
        if let unknown = options.keys.sorted().first(where: { !Self.supported.contains($0) }) {
            throw AuditError(.invalidOption,
                             "unknown audit option \"\(unknown)\"; supported: \(Self.supported.joined(separator: ", "))")
        }
        destination = try Self.destination(options["file_path"])
        failClosed = try Self.bool(options["fail_closed"], "fail_closed") ?? false
        mode = try Self.mode(options["mode"])
        prefix = options["prefix"] ?? ""
        if try Self.bool(options["log_raw"], "log_raw") == true {
            throw AuditError(.invalidOption, "log_raw is not supported: audit entries never hold raw request or key material")
        }
        if let format = options["format"], format != "json" {
            throw AuditError(.invalidOption, "format \"\(format)\" is not supported; use \"json\"")
        }
        if mode & 0o111 != 0 {
            throw AuditError(.invalidOption, "mode \(String(mode, radix: 8)) has an execute bit; an audit log is never executable")
        }
        if mode & 0o022 != 0 {
            throw AuditError(.invalidOption, "mode \(String(mode, radix: 8)) lets others write the audit log")
        }
        if !prefix.isEmpty {
            guard rules.allowPrefix else {
                throw AuditError(.invalidOption, "prefix is refused: the server config does not set audit.allow_audit_log_prefixing")
            }
            let refused: Set<Unicode.GeneralCategory> = [.control, .format, .lineSeparator, .paragraphSeparator]
            guard !prefix.unicodeScalars.contains(where: { refused.contains($0.properties.generalCategory) }) else {
                throw AuditError(.invalidOption, "prefix must not hold control characters or line breaks")
            }
        }
        if origin == .api, case .file(let path) = destination {
            destination = .confined(directory: try Self.directory(rules), name: try Self.confinedName(path, in: rules))
        }
    }

    static func directory(_ rules: AuditRules) throws(AuditError) -> String {
        guard let directory = rules.directory else {
            throw AuditError(.invalidOption, "file_path must be \"stdout\" or \"discard\": the server has no audit directory for files enabled through the API")
        }
        return directory
    }

    /// The file's name inside the audit directory: `file_path` is that directory plus one plain
    /// name (no `..`, no subdirectory, no hidden file), or the bare name.
    static func confinedName(_ path: String, in rules: AuditRules) throws(AuditError) -> String {
        let directory = try directory(rules)
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        let name = path.hasPrefix("/") ? (path.hasPrefix(base) ? String(path.dropFirst(base.count)) : nil) : path
        guard let name, !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), name.utf8.count <= 255 else {
            throw AuditError(.invalidOption, "file_path must name a file directly inside the audit directory \(directory)")
        }
        return name
    }

    static func destination(_ value: String?) throws(AuditError) -> Destination {
        guard let value, !value.isEmpty else { throw AuditError(.invalidOption, "file_path is required") }
        switch value {
        case "stdout": return .stdout
        case "discard": return .discard
        default:
            guard value.hasPrefix("/") else {
                throw AuditError(.invalidOption, "file_path must be an absolute path, \"stdout\" or \"discard\"")
            }
            guard !value.hasSuffix("/"), !value.contains("\0") else {
                throw AuditError(.invalidOption, "file_path must name a file")
            }
            return .file(value)
        }
    }

    /// Go's `strconv.ParseBool` spellings, as Vault accepts them.
    static func bool(_ value: String?, _ name: String) throws(AuditError) -> Bool? {
        guard let value else { return nil }
        switch value {
        case "1", "t", "T", "true", "TRUE", "True": return true
        case "0", "f", "F", "false", "FALSE", "False": return false
        default: throw AuditError(.invalidOption, "\(name) must be true or false, not \"\(value)\"")
        }
    }

    static func mode(_ value: String?) throws(AuditError) -> UInt32 {
        guard let value else { return 0o600 }
        guard !value.isEmpty, value.count <= 4, let mode = UInt32(value, radix: 8), mode <= 0o777 else {
            throw AuditError(.invalidOption, "mode must be octal permissions such as 0600, not \"\(value)\"")
        }
        return mode
    }
}
