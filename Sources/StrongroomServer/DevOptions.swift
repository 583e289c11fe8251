import Foundation

/// `strongroom server -dev` options.
public struct DevOptions: Sendable, Hashable {
    /// `-dev-data-dir`: where the root key, the SQLite database and the dev credential files live.
    public var dataDirectory: String = "./strongroom-data"
    /// `-dev-kmip-listen-address`: the KMIP listener (written to `kmip/config` as `listen_addrs`).
    public var kmipListenAddress: String = "127.0.0.1:5696"
    /// `-dev-listen-address`: the HTTP API address (accepted and reported; the API is not served yet).
    public var apiListenAddress: String = "127.0.0.1:8200"
    /// `-dev-root-token-id`: the root token of the HTTP API; nil = keep the stored one, or draw one.
    public var rootTokenID: String?
    /// Shut down gracefully on SIGTERM / SIGINT (the CLI sets it; in-process tests leave it off).
    public var handlesSignals: Bool = false
    /// `-experiment NAME` (repeatable): Vault's server experiments to run with.
    public var experiments: [String] = []

    public init(dataDirectory: String = "./strongroom-data", kmipListenAddress: String = "127.0.0.1:5696",
                apiListenAddress: String = "127.0.0.1:8200", rootTokenID: String? = nil, handlesSignals: Bool = false) {
        self.dataDirectory = dataDirectory; self.kmipListenAddress = kmipListenAddress
        self.apiListenAddress = apiListenAddress; self.rootTokenID = rootTokenID; self.handlesSignals = handlesSignals
    }
}

/// The files of a dev data directory.
public struct DevPaths: Sendable, Hashable {
    public let dataDirectory: String
    /// The 32-byte root key that seals key material at rest (0600).
    public var rootKey: String { path("root.key") }
    /// The SQLite database.
    public var database: String { path("strongroom.db") }
    /// The CA chain clients trust: intermediate then root.
    public var caPEM: String { path("ca.pem") }
    /// The dev client certificate (scope `default`, role `admin`).
    public var clientPEM: String { path("client.pem") }
    /// Its private key (0600).
    public var clientKeyPEM: String { path("client-key.pem") }
    /// The HTTP API root token (0600).
    public var rootToken: String { path("root-token") }

    public init(dataDirectory: String) {
        self.dataDirectory = (dataDirectory as NSString).standardizingPath
    }

    func path(_ name: String) -> String { (dataDirectory as NSString).appendingPathComponent(name) }
}
