import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

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

/// swift-server/async-http-client: one code path for `http`, `https` with the system trust store, a
/// private CA (`-ca-cert`, `STRONGROOM_CACERT`) or no verification (`-tls-skip-verify`). The server
/// name is verified against the address's host; redirects are not followed (Vault's client handles
/// none of the API's answers that way).
public struct AsyncHTTPClientTransport: HTTPTransport {
    public var caCertFile: String?
    public var skipVerify: Bool
    /// `http://[user:password@]host:port` of an HTTP proxy (https addresses go through CONNECT).
    public var proxy: String?
    public var timeout: Duration
    /// Largest response body read (the API's answers are small; a credential is a few KiB).
    public static let maxResponseBytes = 16 << 20

    public init(caCertFile: String? = nil, skipVerify: Bool = false, proxy: String? = nil, timeout: Duration = .seconds(60)) {
        self.caCertFile = caCertFile
        self.skipVerify = skipVerify
        self.proxy = proxy
        self.timeout = timeout
    }

    public init(_ configuration: ClientConfiguration) {
        self.init(caCertFile: configuration.caCert, skipVerify: configuration.tlsSkipVerify, proxy: configuration.proxy)
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: try tlsConfiguration(), redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: TimeAmount(timeout)))
        configuration.httpVersion = .http1Only
        // One request per command: a refused handshake or connection is reported at once, as Vault's
        // CLI does, not retried until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        if let proxy { configuration.proxy = try Self.proxy(proxy) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let response = try await execute(request, on: client)
            try await client.shutdown()
            return response
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func execute(_ request: HTTPRequest, on client: HTTPClient) async throws -> HTTPResponse {
        var r = HTTPClientRequest(url: request.url.absoluteString)
        r.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { r.headers.add(name: name, value: value) }
        if let body = request.body { r.body = .bytes(ByteBuffer(bytes: body)) }
        let response: HTTPClientResponse
        do { response = try await client.execute(r, timeout: TimeAmount(timeout)) } catch {
            throw HTTPTransportError("\(request.method) \(request.url): \(error)")
        }
        let body: ByteBuffer
        do { body = try await response.body.collect(upTo: Self.maxResponseBytes) } catch {
            throw HTTPTransportError("reading the answer to \(request.method) \(request.url): \(error)")
        }
        return HTTPResponse(status: Int(response.status.code), body: Data(body.readableBytesView))
    }

    /// `http://[user:password@]host[:port]` (port 80 when absent, as Go's client) as the client's proxy.
    static func proxy(_ text: String) throws -> HTTPClient.Configuration.Proxy {
        let withScheme = text.contains("://") ? text : "http://" + text
        guard let url = URL(string: withScheme), url.scheme?.lowercased() == "http", let host = url.host, !host.isEmpty else {
            throw HTTPTransportError("proxy \(text) is not http://host:port")
        }
        let port = url.port ?? 80
        if let user = url.user {
            let password = url.password ?? ""
            return .server(host: host, port: port, authorization: .basic(username: user.removingPercentEncoding ?? user,
                                                                           password: password.removingPercentEncoding ?? password))
        }
        return .server(host: host, port: port)
    }

    func tlsConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if skipVerify {
            configuration.certificateVerification = .none
        } else if let caCertFile {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caCertFile))
            } catch {
                throw HTTPTransportError("cannot read the CA certificate \(caCertFile): \(error)")
            }
        }
        return configuration
    }
}
