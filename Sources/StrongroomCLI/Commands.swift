import Foundation
import VaultFramework

/// What a command printed and how it exits; the executable writes it out, tests compare it.
public struct CommandResult: Sendable, Equatable {
    public var stdout = ""
    public var stderr = ""
    public var exitCode: Int32 = 0

    public init(stdout: String = "", stderr: String = "", exitCode: Int32 = 0) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitCode = exitCode
    }

    /// `ui.Output`: a line on stdout.
    mutating func output(_ line: String) { stdout += line + "\n" }

    /// `ui.Error`: a line on stderr.
    mutating func error(_ line: String, exit code: Int32) {
        stderr += line + "\n"
        exitCode = code
    }

    static func failure(_ line: String, exit code: Int32) -> CommandResult {
        var r = CommandResult()
        r.error(line, exit: code)
        return r
    }
}

/// `-format`, `-field` and whether stdout is a terminal (raw fields end with a newline only there).
public struct OutputOptions: Sendable, Equatable {
    public var format: String
    public var field: String?
    public var stdoutIsTerminal: Bool

    public init(format: String = "table", field: String? = nil, stdoutIsTerminal: Bool = false) {
        self.format = format
        self.field = field
        self.stdoutIsTerminal = stdoutIsTerminal
    }
}

/// Vault's `read`, `write`, `list`, `delete` and `secrets` commands, minus argument parsing:
/// `args` are the positional arguments (path first), as Vault's commands see them.
public struct CommandRunner: Sendable {
    public let client: VaultClient
    public let output: OutputOptions
    public let sources: ArgumentSources

    public init(client: VaultClient, output: OutputOptions = OutputOptions(), sources: ArgumentSources = .system) {
        self.client = client
        self.output = output
        self.sources = sources
    }

    /// Vault's usage error for a wrong number of positional arguments, or nil.
    static func argumentCount(_ args: [String], _ expected: Int) -> CommandResult? {
        guard args.count != expected else { return nil }
        let problem = args.count < expected ? "Not enough" : "Too many"
        return .failure("\(problem) arguments (expected \(expected), got \(args.count))", exit: 1)
    }

    // MARK: read / write / list / delete

    /// The path and the `key=value` query parameters after it (read, delete), or the usage error.
    func pathAndQuery(_ args: [String]) -> Result<(path: String, query: [String: [String]]), CommandFailure> {
        guard let first = args.first else { return .failure(CommandFailure(.failure("Not enough arguments (expected 1, got 0)", exit: 1))) }
        do {
            let query = try KeyValueArguments.queryParameters(KeyValueArguments.parse(Array(args.dropFirst()), sources: sources))
            return .success((Paths.sanitize(first), query))
        } catch {
            return .failure(CommandFailure(.failure("Failed to parse K=V data: \(error)", exit: 1)))
        }
    }

    public func read(_ args: [String]) async -> CommandResult {
        let path: String, query: [String: [String]]
        switch pathAndQuery(args) {
        case .success(let parsed): (path, query) = parsed
        case .failure(let failure): return failure.result
        }
        do {
            guard let secret = try await client.read(path, query: query) else {
                return .failure("No value found at \(path)", exit: 2)
            }
            if let field = output.field { return rawField(secret, field) }
            return render(secret)
        } catch {
            return .failure("Error reading \(path): \(error)", exit: 2)
        }
    }

    public func write(_ args: [String], force: Bool) async -> CommandResult {
        guard let first = args.first else { return .failure("Not enough arguments (expected 1, got 0)", exit: 1) }
        if args.count == 1 && !force { return .failure("Must supply data or use -force", exit: 1) }
        let path = Paths.sanitize(first)
        let data: [String: VaultValue]
        do {
            data = try KeyValueArguments.parse(Array(args.dropFirst()), sources: sources)
        } catch {
            return .failure("Failed to parse K=V data: \(error)", exit: 1)
        }
        do {
            guard let secret = try await client.write(path, data: data) else {
                var r = CommandResult()
                // Vault prints the success line only in table format.
                if output.format == "table" { r.output("Success! Data written to: \(path)") }
                return r
            }
            if let field = output.field { return rawField(secret, field) }
            return render(secret)
        } catch {
            return .failure("Error writing data to \(path): \(error)", exit: 2)
        }
    }

    public func list(_ args: [String]) async -> CommandResult {
        if let usage = Self.argumentCount(args, 1) { return usage }
        let path = Paths.withTrailingSlash(Paths.sanitize(args[0]))
        let secret: Secret?
        do {
            secret = try await client.list(path)
        } catch {
            return .failure("Error listing \(path): \(error)", exit: 2)
        }
        let keys = secret?.data?["keys"]
        let hasKeys: Bool = if case .list? = keys { true } else { false }
        if output.format != "table" && (secret?.data == nil || !hasKeys) {
            var r = render(data: .object([:]))
            if r.exitCode == 0 { r.exitCode = 2 }
            return r
        }
        guard let secret, secret.data != nil else { return .failure("No value found at \(path)", exit: 2) }
        guard case .list(let items)? = keys else { return .failure("No entries found at \(path)", exit: 2) }
        return renderList(secret, items)
    }

    public func delete(_ args: [String]) async -> CommandResult {
        let path: String, query: [String: [String]]
        switch pathAndQuery(args) {
        case .success(let parsed): (path, query) = parsed
        case .failure(let failure): return failure.result
        }
        do {
            _ = try await client.delete(path, query: query)
        } catch {
            return .failure("Error deleting \(path): \(error)", exit: 2)
        }
        var r = CommandResult()
        if output.format == "table" { r.output("Success! Data deleted (if it existed) at: \(path)") }
        return r
    }

    // MARK: secrets

    public func secretsEnable(_ args: [String], path: String? = nil, description: String = "") async -> CommandResult {
        if let usage = Self.argumentCount(args, 1) { return usage }
        let type = args[0].trimmingCharacters(in: .whitespaces)
        // Vault mounts at the engine type unless -path says otherwise.
        let chosen = path.flatMap { $0.isEmpty ? nil : $0 } ?? type
        let mountPath = Paths.withTrailingSlash(chosen)
        do {
            try await client.mount(Paths.sanitize(mountPath), type: type, description: description)
        } catch {
            return .failure("Error enabling: \(error)", exit: 2)
        }
        var r = CommandResult()
        r.output("Success! Enabled the \(type) secrets engine at: \(mountPath)")
        return r
    }

    public func secretsDisable(_ args: [String]) async -> CommandResult {
        if let usage = Self.argumentCount(args, 1) { return usage }
        let path = Paths.withTrailingSlash(Paths.sanitize(args[0]))
        do {
            try await client.unmount(Paths.sanitize(path))
        } catch {
            return .failure("Error disabling secrets engine at \(path): \(error)", exit: 2)
        }
        var r = CommandResult()
        r.output("Success! Disabled the secrets engine (if it existed) at: \(path)")
        return r
    }

    public func secretsList(_ args: [String] = []) async -> CommandResult {
        if let usage = Self.argumentCount(args, 0) { return usage }
        let mounts: [String: VaultValue]
        do {
            mounts = try await client.listMounts()
        } catch {
            return .failure("Error listing secrets engines: \(error)", exit: 2)
        }
        guard output.format == "table" else { return render(data: .object(mounts)) }
        let rows = mounts.keys.sorted().map { path -> [String] in
            let m = mounts[path]!
            return [path] + ["type", "accessor", "description"].map { m[$0]?.stringValue ?? "" }
        }
        var r = CommandResult()
        r.output(TableFormatter.table(headers: ["Path", "Type", "Accessor", "Description"], rows: rows))
        return r
    }

    // MARK: output

    /// `OutputSecret`.
    func render(_ secret: Secret) -> CommandResult {
        var r = CommandResult()
        switch output.format {
        case "json":
            r.output(secret.indentedJSON)
        case "table":
            if let warnings = secret.warnings, !warnings.isEmpty { r.stderr += TableFormatter.warnings(warnings) }
            if let table = TableFormatter.secret(secret) { r.output(table) }
        default:
            r.error("Invalid output format: \(output.format)", exit: 1)
        }
        return r
    }

    /// `OutputData`: plain JSON data (JSON format) or a Key/Value table.
    func render(data: VaultValue) -> CommandResult {
        var r = CommandResult()
        switch output.format {
        case "json":
            r.output(data.indentedJSON())
        case "table":
            if let table = TableFormatter.secret(Secret(data: data.objectValue)) { r.output(table) }
        default:
            r.error("Invalid output format: \(output.format)", exit: 1)
        }
        return r
    }

    /// `OutputList`: the keys as JSON, or the sorted `Keys` table.
    func renderList(_ secret: Secret, _ items: [VaultValue]) -> CommandResult {
        var r = CommandResult()
        switch output.format {
        case "json":
            r.output(VaultValue.list(items).indentedJSON())
        case "table":
            if let warnings = secret.warnings, !warnings.isEmpty { r.stderr += TableFormatter.warnings(warnings) }
            var keys: [String] = []
            for item in items {
                guard let key = item.stringValue else {
                    r.error("Could not parse output: \(item.goDescription) is not a string", exit: 1)
                    return r
                }
                keys.append(key)
            }
            r.output(TableFormatter.list(keys))
        default:
            r.error("Invalid output format: \(output.format)", exit: 1)
        }
        return r
    }

    /// `PrintRawField`: the bare value; a trailing newline only on a terminal.
    func rawField(_ secret: Secret, _ field: String) -> CommandResult {
        guard let value = Self.field(secret, field), value != .null else {
            return .failure("Field \(VaultValue.quote(field)) not present in secret", exit: 1)
        }
        let text: String
        switch output.format {
        case "table", "raw": text = value.goDescription
        case "json": text = value.indentedJSON()
        default: return .failure("Invalid output format: \(output.format)", exit: 1)
        }
        return CommandResult(stdout: output.stdoutIsTerminal ? text + "\n" : text)
    }

    /// Vault's `RawField` for a secret without auth or wrap info.
    static func field(_ secret: Secret, _ field: String) -> VaultValue? {
        switch field {
        case "lease_duration", "refresh_interval": return .int(secret.leaseDuration)
        case "lease_id": return .string(secret.leaseID)
        case "request_id": return .string(secret.requestID)
        case "renewable": return .bool(secret.renewable)
        case "data": return secret.data?["data"] ?? secret.data.map(VaultValue.object) ?? .null
        default: return secret.data?[field]
        }
    }
}

/// Vault's path helpers.
public enum Paths {
    /// Trim whitespace, then every leading and trailing slash.
    public static func sanitize(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }

    public static func withTrailingSlash(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespaces)
        return t.isEmpty || t.hasSuffix("/") ? t : t + "/"
    }
}

/// A command's early exit, as an Error so it can travel in a `Result`.
struct CommandFailure: Error {
    let result: CommandResult
    init(_ result: CommandResult) { self.result = result }
}
