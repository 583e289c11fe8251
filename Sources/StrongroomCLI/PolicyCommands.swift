import Foundation
import VaultPolicy
import VaultFramework

/// Vault's `policy list|read|write|delete|fmt`, over `sys/policies/acl` as Vault's CLI calls it.
extension CommandRunner {
    /// Vault's `PolicyWriteCommand` normalises the name before sending it.
    static func policyName(_ name: String) -> String { name.trimmingCharacters(in: .whitespaces).lowercased() }

    public func policyList(_ args: [String]) async -> CommandResult {
        if let usage = Self.argumentCount(args, 0) { return usage }
        let names: [String]
        do {
            let secret = try await client.list("sys/policies/acl")
            names = secret?.data?["keys"]?.listValue?.compactMap(\.stringValue) ?? []
        } catch {
            return .failure("Error listing policies: \(error)", exit: 2)
        }
        if output.format == "json" { return render(data: .list(names.map(VaultValue.string))) }
        var r = CommandResult()
        for name in names { r.output(name) }
        return r
    }

    public func policyRead(_ args: [String]) async -> CommandResult {
        if let usage = Self.argumentCount(args, 1) { return usage }
        let name = Self.policyName(args[0])
        let text: String
        do {
            guard let secret = try await client.read("sys/policies/acl/" + name),
                  let policy = secret.data?["policy"]?.stringValue, !policy.isEmpty else {
                return .failure("No policy named: \(name)", exit: 2)
            }
            text = policy
        } catch {
            return .failure("Error reading policy named \(name): \(error)", exit: 2)
        }
        if output.format == "json" { return render(data: .object(["policy": .string(text)])) }
        var r = CommandResult()
        r.output(text.trimmingCharacters(in: .whitespacesAndNewlines))
        return r
    }

    /// `policy write NAME FILE`; FILE `-` reads stdin.
    public func policyWrite(_ args: [String]) async -> CommandResult {
        if let usage = Self.argumentCount(args, 2) { return usage }
        let name = Self.policyName(args[0])
        let data: Data
        do {
            data = args[1] == "-" ? sources.readStdin() : try sources.readFile(args[1])
        } catch {
            return .failure("Error opening policy file: \(error)", exit: 2)
        }
        do {
            _ = try await client.write("sys/policies/acl/" + name, data: ["policy": .string(String(decoding: data, as: UTF8.self))])
        } catch {
            return .failure("Error uploading policy: \(error)", exit: 2)
        }
        var r = CommandResult()
        r.output("Success! Uploaded policy: \(name)")
        return r
    }

    public func policyDelete(_ args: [String]) async -> CommandResult {
        if let usage = Self.argumentCount(args, 1) { return usage }
        let name = Self.policyName(args[0])
        do {
            _ = try await client.delete("sys/policies/acl/" + name)
        } catch {
            return .failure("Error deleting \(name): \(error)", exit: 2)
        }
        var r = CommandResult()
        r.output("Success! Deleted policy: \(name)")
        return r
    }

    /// `policy fmt FILE`: local only; rewrites the file formatted, or prints the parse error.
    public static func policyFormat(_ args: [String], sources: ArgumentSources,
                                    writeFile: (String, Data) throws -> Void) -> CommandResult {
        if let usage = argumentCount(args, 1) { return usage }
        let path = args[0]
        let text: String
        do { text = String(decoding: try sources.readFile(path), as: UTF8.self) } catch {
            return .failure("Error opening policy file: \(error)", exit: 2)
        }
        let formatted: String
        do { formatted = try PolicyFormatter.format(text) } catch {
            return .failure(error.message, exit: 1)
        }
        do { try writeFile(path, Data(formatted.utf8)) } catch {
            return .failure("Error writing policy file: \(error)", exit: 2)
        }
        var r = CommandResult()
        r.output("Success! Formatted policy: \(path)")
        return r
    }
}
