import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data?

    public init(method: String, url: URL, headers: [String: String] = [:], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var body: Data

    public init(status: Int, body: Data = Data()) {
        self.status = status
        self.body = body
    }
}

/// The one network call, behind a protocol so every command can run against a stub.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

public struct HTTPTransportError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// URLSession (FoundationNetworking's libcurl on Linux).
///
/// Linux's URLSession offers no hook for a private CA or for skipping verification (no server-trust
/// challenge; its CA-file override is Android-only), so `https` with `-ca-cert` or `-tls-skip-verify`
/// is refused there rather than silently ignored. Plain `http` and `https` with a CA in the system
/// trust store work.
public struct URLSessionTransport: HTTPTransport {
    public var timeout: TimeInterval

    public init(timeout: TimeInterval = 60) { self.timeout = timeout }

    /// The reason `configuration` cannot be honoured on this platform, if any.
    public static func unsupported(_ configuration: ClientConfiguration) -> String? {
        guard configuration.address.lowercased().hasPrefix("https:") else { return nil }
        if configuration.tlsSkipVerify {
            return "-tls-skip-verify is not supported by this build's HTTP client (URLSession); trust the server's CA system-wide instead"
        }
        if configuration.caCert != nil {
            return "-ca-cert is not supported by this build's HTTP client (URLSession); add the CA to the system trust store instead"
        }
        return nil
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var r = URLRequest(url: request.url, timeoutInterval: timeout)
        r.httpMethod = request.method
        for (name, value) in request.headers { r.setValue(value, forHTTPHeaderField: name) }
        r.httpBody = request.body
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: r)
        guard let http = response as? HTTPURLResponse else { throw HTTPTransportError("not an HTTP response") }
        return HTTPResponse(status: http.statusCode, body: data)
    }
}
