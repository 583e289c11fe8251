import ArgumentParser

/// `strongroom bench`: throughput figures, measured on this machine (never in tests).
/// Without a subcommand name, `bench` is the KMIP load generator (`strongroom bench -address … -op get`).
/// The codec and crypto micro-benchmarks live in the Benchmarks/ package (ordo-one/benchmark).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Strongroom's performance on this machine.",
        subcommands: [KMIPLoad.self],
        defaultSubcommand: KMIPLoad.self
    )
}
