import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import PostgresNIO

/// The PostgreSQL store, for several Strongroom nodes sharing one database: the same records, MACs
/// and sealing as ``SQLiteStore`` (one root key for every node), over a `PostgresClient` pool.
///
/// Every write is a transaction that has committed (`synchronous_commit` on) before the call
/// returns. Nothing is cached: another node may change any row at any time, so every read goes to
/// the database (the callers' own caches are bounded in time: ``CredentialDirectory``). Atomic
/// "insert if absent" and read-modify-write steps take row locks or transaction-scoped advisory
/// locks, never a process-local lock. Creates are group-committed (``PostgresInsertBatcher``).
///
/// When the database cannot be reached, every call fails within ``operationTimeout`` with General
/// Failure ("database unavailable") instead of waiting; the pool reconnects by itself.
public final class PostgresStore: ServerStore, Sendable {
    public struct Configuration: Sendable {
        /// `postgres://user:password@host:port/database?sslmode=…&sslrootcert=…` (libpq's URL form;
        /// `host=/dir` in the query names a Unix socket directory).
        public var connectionURL: String
        /// The pool's connections to the database, at most.
        public var maxConnections: Int
        /// How long one store call may wait for the database before it fails.
        public var operationTimeout: Duration

        public init(connectionURL: String, maxConnections: Int = PostgresStore.defaultMaxConnections,
                    operationTimeout: Duration = PostgresStore.defaultOperationTimeout) {
            self.connectionURL = connectionURL
            self.maxConnections = maxConnections
            self.operationTimeout = operationTimeout
        }
    }

    public static let defaultMaxConnections = 16
    public static let defaultOperationTimeout: Duration = .seconds(10)
    /// Creates written in one transaction, at most.
    static let maxInsertBatch = 256

    let client: PostgresClient
    let keyring: Keyring
    let records: RecordAuthenticator
    let logger: Logger
    let operationTimeout: Duration
    private let runTask: Task<Void, Never>
    let inserts: PostgresInsertBatcher

    /// Connects, migrates the schema (once, whichever node gets the migration lock first) and checks
    /// that `keyring` is the root key the database's secrets were sealed with.
    public static func open(_ configuration: Configuration, keyring: Keyring,
                            logger: Logger = Logger(label: "strongroom.store.postgresql")) async throws -> PostgresStore {
        let store = try PostgresStore(configuration, keyring: keyring, logger: logger)
        do {
            _ = try await store.timed { try await PostgresMigrations.migrate(store.client, logger: store.logger) }
            try await store.checkKeyring()
        } catch {
            try? await store.close()
            throw error
        }
        return store
    }

    private init(_ configuration: Configuration, keyring: Keyring, logger: Logger) throws {
        var clientConfiguration = try PostgresConnectionURL.parse(configuration.connectionURL)
        clientConfiguration.options.maximumConnections = max(1, configuration.maxConnections)
        clientConfiguration.options.connectTimeout = .seconds(5)
        // Every committed write is on disk before it is acknowledged, whatever the server's default.
        clientConfiguration.options.additionalStartupParameters = [("synchronous_commit", "on"),
                                                                   ("application_name", "strongroom")]
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        self.client = client
        self.keyring = keyring
        self.records = RecordAuthenticator(keyring: keyring)
        self.logger = logger
        self.operationTimeout = configuration.operationTimeout
        self.runTask = Task { await client.run() }
        self.inserts = PostgresInsertBatcher(client: client, logger: logger, maxBatch: Self.maxInsertBatch,
                                             timeout: configuration.operationTimeout)
    }

    /// Stops the pool; the store must not be used afterwards.
    public func close() async throws {
        runTask.cancel()
        await runTask.value
    }

    /// Sealed in `meta` by the first node: proves the root key to every later one.
    static let recordsCheckLabel = RecordAuthenticator.recordsCheckLabel

    /// Inserts the records check if the database has none (first start; under a transaction
    /// advisory lock, so of several nodes starting together exactly one seals it), then opens it.
    private func checkKeyring() async throws {
        let sealed = try keyring.seal(Self.recordsCheckLabel, aad: Self.recordsCheckLabel)
        let stored = try await transaction { c -> [UInt8] in
            try await Self.lock(c, "meta", logger: self.logger)
            try await c.run(PostgresStatement("INSERT INTO meta (key, value) VALUES ('records_check', ?) ON CONFLICT (key) DO NOTHING",
                                                [.blob(sealed)]).query, logger: self.logger)
            let rows = try await c.run("SELECT value FROM meta WHERE key = 'records_check'", logger: self.logger)
            guard let row = rows.first else { throw StoreError(.generalFailure, "the records check is missing") }
            return try PostgresValues(row).blob(0)
        }
        do { _ = try keyring.open(stored, aad: Self.recordsCheckLabel) } catch { throw RecordAuthenticator.rootKeyMismatch }
    }

    // MARK: Running statements

    /// The rows of one statement, each read as ``PostgresValues``.
    func rows(_ statement: PostgresStatement) async throws -> [PostgresValues] {
        try await timed { [client, logger] in
            try await client.withConnection { c in
                try await c.run(statement.query, logger: logger).map(PostgresValues.init)
            }
        }
    }

    /// Runs `work` in one transaction on one connection (BEGIN … COMMIT; ROLLBACK when it throws).
    /// Errors thrown by `work` itself (a refused change) reach the caller unchanged.
    func transaction<T: Sendable>(_ work: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await timed { [client, logger] in
            try await client.withConnection { c in
                try await c.run("BEGIN", logger: logger)
                do {
                    let result = try await work(c)
                    try await c.run("COMMIT", logger: logger)
                    return result
                } catch {
                    _ = try? await c.run("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    /// Takes the transaction-scoped advisory lock named `name`: held until COMMIT or ROLLBACK, by
    /// one transaction of any node at a time. For "read, then insert if absent" over rows that may
    /// not exist yet (no row lock to take).
    static func lock(_ c: PostgresConnection, _ name: String, logger: Logger) async throws {
        try await c.run(PostgresStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", [.text("strongroom/" + name)]).query,
                          logger: logger)
    }

    /// Runs `work`, failing with General Failure when the database has not answered within
    /// ``operationTimeout`` (the work itself goes on and is dropped when it ends: its outcome is
    /// unknown to the caller, as with any lost connection). Database errors become ``StoreError``s.
    func timed<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withDeadline(operationTimeout) {
            do { return try await work() } catch { throw Self.storeError(error) }
        }
    }

    /// A database error as the server reports it: a unique-key violation is a duplicate (Illegal
    /// Operation), anything else General Failure with the server's message (never the query's values).
    static func storeError(_ error: any Error) -> any Error {
        guard let e = error as? PSQLError else {
            // The pool's and NIO's own errors (a lost or refused connection); any other error was
            // thrown by the caller's work and is theirs to see.
            let module = String(reflecting: type(of: error)).prefix { $0 != "." }
            return ["PostgresNIO", "_ConnectionPoolModule", "NIOCore", "NIOPosix", "NIOSSL"].contains(module)
                ? StoreError.unavailable("\(error)") : error
        }
        if let state = e.serverInfo?[.sqlState] {
            let message = e.serverInfo?[.message] ?? ""
            if state == "23505" { return StoreError.duplicate(e.serverInfo?[.constraintName].map { "row (\($0))" } ?? "row") }
            // Connection exceptions, the server shutting down or out of connections: try again later.
            if state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300" { return StoreError.unavailable("\(state): \(message)") }
            return StoreError(.generalFailure, "database error \(state): \(message)")
        }
        return StoreError.unavailable("\(e.code)")
    }
}

/// libpq's connection URL, read into a `PostgresClient` configuration.
enum PostgresConnectionURL {
    static func parse(_ text: String) throws -> PostgresClient.Configuration {
        let invalid = { (why: String) in StoreError(.generalFailure, "storage.postgresql.connection_url: \(why)") }
        guard let url = URLComponents(string: text), url.scheme == "postgres" || url.scheme == "postgresql" else {
            throw invalid("expected postgres://user:password@host:port/database")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let known: Set<String> = ["sslmode", "sslrootcert", "sslcert", "sslkey", "host", "user", "password", "port", "dbname"]
        if let unknown = query.keys.first(where: { !known.contains($0) }) { throw invalid("unknown parameter \(unknown)") }
        guard let user = (url.user.map { $0.removingPercentEncoding ?? $0 }) ?? query["user"], !user.isEmpty else {
            throw invalid("no user name")
        }
        let password = url.password.map { $0.removingPercentEncoding ?? $0 } ?? query["password"]
        var database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        if database.isEmpty { database = query["dbname"] ?? user }
        let port = url.port ?? query["port"].flatMap(Int.init) ?? 5432
        let host = url.host.flatMap { $0.isEmpty ? nil : $0 } ?? query["host"] ?? "localhost"
        if host.hasPrefix("/") {
            return PostgresClient.Configuration(unixSocketPath: host + "/.s.PGSQL.\(port)", username: user,
                                                password: password, database: database)
        }
        return PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database,
                                            tls: try tls(query, invalid: invalid))
    }

    /// `sslmode`: disable, prefer (the default, as libpq), require, verify-ca or verify-full (the two
    /// verifying modes check the server's certificate against `sslrootcert` or the system's roots;
    /// `require` encrypts without verifying, as libpq does). `sslcert`/`sslkey`: a client certificate.
    private static func tls(_ query: [String: String], invalid: (String) -> StoreError) throws -> PostgresClient.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let root = query["sslrootcert"] { tls.trustRoots = .file(root) }
        if let cert = query["sslcert"], let key = query["sslkey"] {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        }
        switch query["sslmode"] ?? "prefer" {
        case "disable": return .disable
        case "prefer": tls.certificateVerification = .none; return .prefer(tls)
        case "require": tls.certificateVerification = .none; return .require(tls)
        case "verify-ca": tls.certificateVerification = .noHostnameVerification; return .require(tls)
        case "verify-full": tls.certificateVerification = .fullVerification; return .require(tls)
        case let mode: throw invalid("unknown sslmode \(mode)")
        }
    }
}
