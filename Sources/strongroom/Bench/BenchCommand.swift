import ArgumentParser

/// `strongroom bench`: throughput figures, measured on this machine (never in tests).
/// Without a subcommand name, `bench` is the KMIP load generator (`strongroom bench -address … -op get`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Strongroom's performance on this machine.",
        subcommands: [KMIPLoad.self, Codec.self, Crypto.self],
        defaultSubcommand: KMIPLoad.self
    )
}
