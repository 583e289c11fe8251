import ArgumentParser

@main
struct Strongroom: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strongroom",
        abstract: "Strongroom: an open-source KMIP key server.",
        subcommands: [TTLVCommand.self, BenchCommand.self]
    )
}
