import Foundation
import VaultFramework

/// Where `key=@file`, `key=-`, `@file` and `-` take their content from; injected so tests need no files.
public struct ArgumentSources: Sendable {
    public var readStdin: @Sendable () -> Data
    public var readFile: @Sendable (String) throws -> Data

    public init(readStdin: @escaping @Sendable () -> Data, readFile: @escaping @Sendable (String) throws -> Data) {
        self.readStdin = readStdin
        self.readFile = readFile
    }

    /// The process's stdin and file system.
    public static let system = ArgumentSources(
        readStdin: { FileHandle.standardInput.readDataToEndOfFile() },
        readFile: { path in
            guard let data = FileManager.default.contents(atPath: path) else {
                throw KeyValueError("open \(path): no such file or directory")
            }
            return data
        })
}

public struct KeyValueError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Vault's `kvbuilder`: turns `write`/`read`/`delete` arguments into request data.
public enum KeyValueArguments {
    /// `k=v` pairs; `k=@file` (file content); `k=\@x` (a literal `@x`); `k=-` (stdin);
    /// a lone `-` or `@file` merges a JSON object; a repeated key becomes a list. Stdin is read at most once.
    public static func parse(_ args: [String], sources: ArgumentSources) throws -> [String: VaultValue] {
        var result: [String: VaultValue] = [:]
        var stdinUsed = false
        for raw in args {
            do {
                try add(raw, to: &result, stdinUsed: &stdinUsed, sources: sources)
            } catch {
                throw KeyValueError("Invalid key/value pair '\(raw)': \(error)")
            }
        }
        return result
    }

    private static func add(_ raw: String, to result: inout [String: VaultValue], stdinUsed: inout Bool,
                            sources: ArgumentSources) throws {
        if raw.isEmpty { return }
        guard let eq = raw.firstIndex(of: "=") else {
            if raw == "-" {
                guard !stdinUsed else { throw KeyValueError("stdin already consumed") }
                stdinUsed = true
                try merge(sources.readStdin(), into: &result)
                return
            }
            if raw.hasPrefix("@") {
                try merge(sources.readFile(String(raw.dropFirst())), into: &result)
                return
            }
            throw KeyValueError("format must be key=value")
        }
        let key = String(raw[..<eq])
        var value = String(raw[raw.index(after: eq)...])
        if value.hasPrefix("@") {
            do {
                value = String(decoding: try sources.readFile(String(value.dropFirst())), as: UTF8.self)
            } catch {
                throw KeyValueError("error reading file: \(error)")
            }
        } else if value.hasPrefix("\\@") {
            value = String(value.dropFirst())
        } else if value == "-" {
            guard !stdinUsed else { throw KeyValueError("stdin already consumed") }
            stdinUsed = true
            value = String(decoding: sources.readStdin(), as: UTF8.self)
        }
        if let existing = result[key] {
            // Vault weak-decodes the earlier value into a list and appends.
            switch existing {
            case .list(let items): result[key] = .list(items + [.string(value)])
            case .object: throw KeyValueError("'' expected type '[]interface {}', got unconvertible type 'map[string]interface {}'")
            default: result[key] = .list([existing, .string(value)])
            }
        } else {
            result[key] = .string(value)
        }
    }

    private static func merge(_ data: Data, into result: inout [String: VaultValue]) throws {
        let parsed: VaultValue
        do { parsed = try VaultValue.parse(data) } catch { throw KeyValueError("\(error)") }
        guard case .object(let object) = parsed else { throw KeyValueError("JSON input must be an object") }
        result.merge(object) { _, new in new }
    }

    /// Vault's `parseArgsDataStringLists`: data for query parameters (`read`, `delete`).
    public static func queryParameters(_ data: [String: VaultValue]) throws -> [String: [String]] {
        var query: [String: [String]] = [:]
        for (key, value) in data {
            switch value {
            case .list(let items): query[key] = try items.map { try scalarString($0, key: key) }
            case .null: query[key] = []
            default: query[key] = [try scalarString(value, key: key)]
            }
        }
        return query
    }

    private static func scalarString(_ value: VaultValue, key: String) throws -> String {
        switch value {
        case .string(let s): return s
        case .number(let n): return n.literal
        case .bool(let b): return b ? "1" : "0"   // mapstructure's weak bool → string
        default: throw KeyValueError("failed to convert values to strings: \(key)")
        }
    }
}
