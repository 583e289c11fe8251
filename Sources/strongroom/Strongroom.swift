import ArgumentParser

@main
struct Strongroom: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strongroom",
        abstract: "Strongroom: an open-source KMIP key server.",
        subcommands: [ServerCommand.self, KMIPCommand.self, TTLVCommand.self, BenchCommand.self, ReadCommand.self, WriteCommand.self, ListCommand.self, DeleteCommand.self, SecretsCommand.self, PolicyCommand.self]
    )
}
