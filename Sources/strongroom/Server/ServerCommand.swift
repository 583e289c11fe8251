import ArgumentParser
import Foundation
import KMIPEngine
import StrongroomServer

/// `strongroom server -dev …` or `strongroom server -config FILE`: runs a server.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run a Strongroom server: the KMIP listeners of every kmip mount and the HTTP API.",
        discussion: """
            Dev mode keeps everything under -dev-data-dir: the root key (root.key), the SQLite database, \
            and a ready client credential (ca.pem, client.pem, client-key.pem) for scope "default", role \
            "admin" (all operations) of the kmip/ mount. A restart keeps the data, the CA and the credential.

            Production mode reads a JSON configuration file (see docs/strongroom.json): storage path, root \
            key file or environment variable, API address and TLS, log level and format, limits. The first \
            start prints the root token once; only its hash is stored.
            """)

    @Flag(name: .customLong("dev", withSingleDash: true), help: "Run in dev mode with an embedded SQLite store.")
    var dev = false

    @Option(name: .customLong("dev-data-dir", withSingleDash: true), help: "Dev mode data directory.")
    var devDataDir = "./strongroom-data"

    @Option(name: .customLong("dev-kmip-listen-address", withSingleDash: true), help: "KMIP listener address (host:port).")
    var devKMIPListenAddress = "127.0.0.1:5696"

    @Option(name: .customLong("dev-listen-address", withSingleDash: true), help: "HTTP API address (host:port).")
    var devListenAddress = "127.0.0.1:8200"

    @Option(name: .customLong("dev-root-token-id", withSingleDash: true), help: "Root token of the HTTP API (default: keep or generate).")
    var devRootTokenID: String?

    @Option(name: .customLong("config", withSingleDash: true), help: "Configuration file (production mode; JSON).")
    var config: String?

    @Option(name: .customLong("log-level", withSingleDash: true), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(name: .customLong("experiment", withSingleDash: true),
            help: "Run with a Vault server experiment (repeatable): kmip.client_api.alpha1 serves the KMIP client API over HTTP.")
    var experiments: [String] = []

    func validate() throws {
        switch (dev, config) {
        case (true, _?): throw ValidationError("use either -dev or -config FILE, not both")
        case (false, nil): throw ValidationError("run `strongroom server -dev` (embedded dev server) or `strongroom server -config FILE`")
        default: break
        }
    }

    func run() async throws {
        // Everything the server writes (database, WAL, keys) is for its owner only.
        umask(0o077)
        if let config { return try await runProduction(config) }
        try StrongroomServer.bootstrapLogging(levelName: logLevel)
        var options = DevOptions(
            dataDirectory: devDataDir, kmipListenAddress: devKMIPListenAddress, apiListenAddress: devListenAddress,
            rootTokenID: devRootTokenID, handlesSignals: true)
        options.experiments = experiments
        let server: RunningServer
        do {
            server = try await StrongroomServer.startDev(options)
        } catch {
            throw CLIError("cannot start the dev server: \(error)")
        }
        FileHandle.standardOutput.write(Data(Self.banner(server).utf8))   // unbuffered: shown before the wait
        try await server.wait()
    }

    func runProduction(_ path: String) async throws {
        var file: ServerConfigFile
        do {
            file = try ServerConfigFile.load(path)
            file.experiments = try ServerConfigFile.experiments(file.experiments + experiments).sorted()
        } catch { throw CLIError("\(error)") }
        try StrongroomServer.bootstrapLogging(levelName: file.logLevel, json: file.logFormat == .json)
        let server: RunningServer
        do {
            server = try await StrongroomServer.start(config: file, handlesSignals: true)
        } catch {
            throw CLIError("cannot start the server: \(error)")
        }
        let storage = file.postgresql == nil ? file.storagePath
            : "PostgreSQL (node \(file.node.id ?? ProcessInfo.processInfo.hostName))"
        var text = "==> Strongroom server started. Storage: \(storage)\n    HTTP API: \(server.apiAddress)\n"
        if !server.rootToken.isEmpty {
            text += """

                Root token (shown once; only its hash is stored — keep it safe):
                    \(server.rootToken)

                """
        }
        FileHandle.standardOutput.write(Data(text.utf8))
        try await server.wait()
    }

    static func banner(_ server: RunningServer) -> String {
        let p = server.paths
        let address = server.kmipAddresses.first ?? "127.0.0.1:5696"
        let (host, port) = splitHostPort(address)
        let connect = "-address \(address) -ca \(shellQuote(p.caPEM)) -cert \(shellQuote(p.clientPEM)) -key \(shellQuote(p.clientKeyPEM))"
        return """
            ==> Strongroom dev server started. Data directory: \(p.dataDirectory)

                KMIP listener:    \(server.kmipAddresses.joined(separator: ", "))
                HTTP API:         http://\(server.apiAddress)
                Root token:       \(server.rootToken)

                CA chain:         \(p.caPEM)
                Client cert:      \(p.clientPEM)  (scope "default", role "admin": all operations)
                Client key:       \(p.clientKeyPEM)

            Try it:
                export STRONGROOM_ADDR=http://\(server.apiAddress) STRONGROOM_TOKEN=\(server.rootToken)
                strongroom read kmip/config
                strongroom kmip create \(connect) -algorithm aes -length 256 -name my-key
                strongroom kmip locate \(connect) -name my-key

            PyKMIP:
                from kmip.pie.client import ProxyKmipClient
                client = ProxyKmipClient(hostname="\(host)", port=\(port), ca="\(p.caPEM)",
                                         cert="\(p.clientPEM)", key="\(p.clientKeyPEM)")

            Dev mode keeps its root key beside the data: do not use it in production.
            Press Ctrl-C (SIGINT) or send SIGTERM to stop.

            """
    }

    static func splitHostPort(_ address: String) -> (String, String) {
        guard let parsed = try? HostPort(parsing: address, defaultPort: 5696, allowsPortZero: true) else { return (address, "5696") }
        return (parsed.host, String(parsed.port))
    }

    static func shellQuote(_ s: String) -> String {
        s.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+:".contains($0) }) ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
