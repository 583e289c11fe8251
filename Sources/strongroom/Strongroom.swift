import ArgumentParser
import NIOCore
import NIOPosix

@main
enum Entrypoint {
    static func main() async {
        // The load generator shares the machine with the server it measures: running its tasks on
        // NIO's event loops (no hand-off to Swift's cooperative pool per request) leaves the server
        // more of the cores. The server keeps the cooperative pool: its blocking work has its own
        // threads, but nothing there must ever block an event loop by accident.
        if CommandLine.arguments.dropFirst().first == "bench" {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        await Strongroom.main()
    }
}

struct Strongroom: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strongroom",
        abstract: "Strongroom: an open-source KMIP key server.",
        subcommands: [ServerCommand.self, KMIPCommand.self, TTLVCommand.self, BenchCommand.self, ReadCommand.self, WriteCommand.self, ListCommand.self, DeleteCommand.self, SecretsCommand.self, PolicyCommand.self]
    )
}
