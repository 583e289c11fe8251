import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL server the tests use: `scripts/postgres start` (run by `scripts/test`) starts one
/// and exports its URL in `STRONGROOM_TEST_POSTGRES_URL`. Each test gets a database of its own.
public enum TestPostgres {
    public static let urlVariable = "STRONGROOM_TEST_POSTGRES_URL"
    /// The server's data directory (for tests that restart it), from `scripts/postgres`.
    public static var directory: String? { ProcessInfo.processInfo.environment["STRONGROOM_TEST_POSTGRES_DIR"] }

    /// The admin URL, or nil (with a loud line on stderr) when no test server runs.
    public static var adminURL: String? {
        guard let url = ProcessInfo.processInfo.environment[urlVariable], !url.isEmpty else {
            FileHandle.standardError.write(Data("WARNING: \(urlVariable) is unset: the PostgreSQL tests are SKIPPED (scripts/test starts a server; see scripts/postgres)\n".utf8))
            return nil
        }
        return url
    }

    /// Creates an empty database and returns its URL (the admin URL with the new database's name).
    public static func makeDatabase(admin: String) async throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await execute(admin: admin, "CREATE DATABASE \(name)")
        return url(admin, database: name)
    }

    /// Drops a database `makeDatabase` created (its connections are closed first).
    public static func dropDatabase(admin: String, url: String) async throws {
        guard let name = URLComponents(string: url)?.path.dropFirst(), name.hasPrefix("t_") else { return }
        try await execute(admin: admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs one statement over a connection of its own.
    public static func execute(admin: String, _ sql: String) async throws {
        guard let c = URLComponents(string: admin), let host = c.host, let user = c.user else {
            throw URLError(.badURL)
        }
        let configuration = PostgresConnection.Configuration(host: host, port: c.port ?? 5432, username: user,
                                                             password: c.password, database: String(c.path.dropFirst()), tls: .disable)
        let logger = Logger(label: "test-postgres")
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    static func url(_ admin: String, database: String) -> String {
        var c = URLComponents(string: admin)!
        c.path = "/" + database
        return c.string!
    }
}
