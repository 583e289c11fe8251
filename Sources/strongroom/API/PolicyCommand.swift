import ArgumentParser
import Foundation
import StrongroomCLI

/// `strongroom policy list|read|write|delete|fmt`: ACL policies (`sys/policies/acl`), as Vault's CLI.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "List, read, write, delete and format ACL policies.",
        subcommands: [PolicyList.self, PolicyRead.self, PolicyWrite.self, PolicyDelete.self, PolicyFmt.self])
}

struct PolicyList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the policy names.")
    @OptionGroup var connection: APIConnectionOptions
    @OptionGroup var format: FormatOption
    @Argument(help: .hidden) var args: [String] = []

    func run() async throws { try await runner(connection, format: format.format).policyList(args).finish() }
}

struct PolicyRead: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "read", abstract: "Print a policy's text.")
    @OptionGroup var connection: APIConnectionOptions
    @OptionGroup var format: FormatOption
    @Argument(help: "NAME") var args: [String] = []

    func run() async throws { try await runner(connection, format: format.format).policyRead(args).finish() }
}

struct PolicyWrite: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write", abstract: "Upload a policy from FILE (- for stdin), HCL or JSON.")
    @OptionGroup var connection: APIConnectionOptions
    @Argument(help: "NAME FILE") var args: [String] = []

    func run() async throws { try await runner(connection, format: nil).policyWrite(args).finish() }
}

struct PolicyDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a policy.")
    @OptionGroup var connection: APIConnectionOptions
    @Argument(help: "NAME") var args: [String] = []

    func run() async throws { try await runner(connection, format: nil).policyDelete(args).finish() }
}

struct PolicyFmt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmt", abstract: "Check a policy file and rewrite it formatted (local, no server).")
    @Argument(help: "FILE", completion: .file()) var args: [String] = []

    func run() async throws {
        try CommandRunner.policyFormat(args, sources: .system) { path, data in
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        }.finish()
    }
}
