import ArgumentParser
import Foundation
import StrongroomCLI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension NameSpecification {
    /// Vault's Go flags: `-name` and, as Go's flag package also accepts, `--name`.
    static func vault(_ name: String) -> NameSpecification {
        [.customLong(name, withSingleDash: true), .customLong(name)]
    }
}

/// `-address`, `-ca-cert`, `-tls-skip-verify`: which Strongroom (or Vault) API to call.
/// Single-dash long names, as Vault spells its flags.
struct APIConnectionOptions: ParsableArguments {
    @Option(name: .vault("address"),
            help: "API address (default: $STRONGROOM_ADDR, else $VAULT_ADDR, else http://127.0.0.1:8200).")
    var address: String?

    @Option(name: .vault("ca-cert"),
            help: "PEM CA file for an https address ($STRONGROOM_CACERT, $VAULT_CACERT).",
            completion: .file())
    var caCert: String?

    @Flag(name: .vault("tls-skip-verify"),
          help: "Do not verify the server certificate (insecure).")
    var tlsSkipVerify = false

    func client() throws -> VaultClient {
        let configuration = ClientConfiguration.resolve(address: address, caCert: caCert, tlsSkipVerify: tlsSkipVerify)
        return VaultClient(configuration: configuration, transport: AsyncHTTPClientTransport(configuration))
    }
}

/// `-format=table|json` (default $STRONGROOM_FORMAT, else $VAULT_FORMAT, else table).
struct FormatOption: ParsableArguments {
    @Option(name: .vault("format"), help: "Output format: table or json.",
            completion: .list(["table", "json"]))
    var format: String?
}

/// `-field=NAME`: print one field's raw value.
struct FieldOption: ParsableArguments {
    @Option(name: .vault("field"), help: "Print only this field, raw.")
    var field: String?
}

extension CommandResult {
    /// Writes the output and ends the process with Vault's exit code.
    func finish() throws {
        if !stdout.isEmpty { FileHandle.standardOutput.write(Data(stdout.utf8)) }
        if !stderr.isEmpty { FileHandle.standardError.write(Data(stderr.utf8)) }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }
}

func runner(_ connection: APIConnectionOptions, format: String?, field: String? = nil) throws -> CommandRunner {
    let output = OutputOptions(format: ClientConfiguration.format(format), field: field,
                               stdoutIsTerminal: isatty(STDOUT_FILENO) != 0)
    return CommandRunner(client: try connection.client(), output: output)
}

struct ReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read", abstract: "Read data at a path of the Vault-compatible API (k=v become query parameters).")

    @OptionGroup var connection: APIConnectionOptions
    @OptionGroup var format: FormatOption
    @OptionGroup var field: FieldOption
    @Argument(help: "PATH, then optional key=value pairs.") var args: [String] = []

    func run() async throws {
        try await runner(connection, format: format.format, field: field.field).read(args).finish()
    }
}

struct WriteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Write data to a path of the Vault-compatible API.",
        discussion: """
            Data: key=value, key=@file (file content), key=- (stdin), a lone - (a JSON object from stdin) \
            or @file.json; a repeated key becomes a list. -f writes with no data.
            """)

    @OptionGroup var connection: APIConnectionOptions
    @OptionGroup var format: FormatOption
    @OptionGroup var field: FieldOption
    @Flag(name: [.customShort("f"), .customLong("force", withSingleDash: true), .customLong("force")], help: "Allow a write with no data.")
    var force = false
    @Argument(help: "PATH, then key=value pairs.") var args: [String] = []

    func run() async throws {
        try await runner(connection, format: format.format, field: field.field).write(args, force: force).finish()
    }
}

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the keys under a path.")

    @OptionGroup var connection: APIConnectionOptions
    @OptionGroup var format: FormatOption
    @Argument(help: "PATH") var args: [String] = []

    func run() async throws {
        try await runner(connection, format: format.format).list(args).finish()
    }
}

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete data at a path (k=v become query parameters, e.g. force=true).")

    @OptionGroup var connection: APIConnectionOptions
    @OptionGroup var format: FormatOption
    @Argument(help: "PATH, then optional key=value pairs.") var args: [String] = []

    func run() async throws {
        try await runner(connection, format: format.format).delete(args).finish()
    }
}

/// `strongroom secrets enable|disable|list`: mounts (`sys/mounts`).
struct SecretsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets", abstract: "Enable, disable and list secrets engines.",
        subcommands: [SecretsEnable.self, SecretsDisable.self, SecretsList.self])
}

struct SecretsEnable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a secrets engine (e.g. kmip).")

    @OptionGroup var connection: APIConnectionOptions
    @Option(name: .vault("path"), help: "Mount path (default: the engine type).")
    var path: String?
    @Option(name: .vault("description"), help: "Human-friendly description.")
    var engineDescription = ""
    @Argument(help: "TYPE") var args: [String] = []

    func run() async throws {
        try await runner(connection, format: nil).secretsEnable(args, path: path, description: engineDescription).finish()
    }
}

struct SecretsDisable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable the secrets engine at a path.")

    @OptionGroup var connection: APIConnectionOptions
    @Argument(help: "PATH") var args: [String] = []

    func run() async throws {
        try await runner(connection, format: nil).secretsDisable(args).finish()
    }
}

struct SecretsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the enabled secrets engines.")

    @OptionGroup var connection: APIConnectionOptions
    @OptionGroup var format: FormatOption
    @Argument(help: .hidden) var args: [String] = []

    func run() async throws {
        try await runner(connection, format: format.format).secretsList(args).finish()
    }
}
