import ArgumentParser

/// `strongroom bench`: throughput figures, measured on this machine (never in tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Strongroom's performance on this machine.",
        subcommands: [Codec.self, Crypto.self]
    )
}
