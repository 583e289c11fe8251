import KMIPStore

/// A `file` audit device's options, validated: what `AuditDeviceRecord.options` may hold.
public struct AuditDeviceOptions: Sendable, Hashable {
    public enum Destination: Sendable, Hashable {
        case file(String)
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
    /// (raw entries would hold secrets; Strongroom never writes them) and any option it does not know.
    public init(_ record: AuditDeviceRecord) throws(AuditError) {
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
