import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import Logging
import NIOCore

/// PEM files of the API's TLS certificate (chain) and key.
public struct APITLSFiles: Sendable, Hashable {
    public var certificateFile: String
    public var keyFile: String
    public init(certificateFile: String, keyFile: String) { self.certificateFile = certificateFile; self.keyFile = keyFile }
}

extension APITLSFiles {
    /// NIOSSL's server configuration from the PEM files: TLS 1.2 or newer.
    func serverConfiguration() throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { NIOSSLCertificateSource.certificate($0) }
        guard !chain.isEmpty else { throw APIError.invalid("\(certificateFile) holds no PEM certificate") }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem)))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}

/// Where and how the HTTP API listens.
public struct APIConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Request bodies above this answer 413 (Vault's `max_request_size` default, 32 MiB).
    public var maxBodySize: Int
    /// Timeouts and the connection cap.
    public var limits: APIConnectionLimits
    public var serverName: String
    /// nil: plain HTTP (the default, on loopback).
    public var tls: APITLSFiles?

    public init(host: String = "127.0.0.1", port: Int = 8200, maxBodySize: Int = 32 << 20, serverName: String = "strongroom",
                tls: APITLSFiles? = nil, limits: APIConnectionLimits = APIConnectionLimits()) {
        self.host = host; self.port = port; self.maxBodySize = maxBodySize; self.serverName = serverName; self.tls = tls
        self.limits = limits
    }
}

/// The HTTP application serving `router` under `/v1/` (Hummingbird's `buildApplication` habit: a pure
/// function tests call). `onServerRunning` gets the listening channel (its `localAddress` tells the
/// port when `port` is 0). With `tls` set it serves HTTPS; unreadable TLS files fail here, before
/// anything listens.
public func buildApplication(configuration: APIConfiguration, router: APIRouter,
                             logger: Logger = Logger(label: "strongroom.api.http"),
                             onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) throws -> some ApplicationProtocol {
    let plain = ListVerbHTTP1Channel.builder(limits: configuration.limits)
    let server = try configuration.tls.map { try HTTPServerBuilder.tls(plain, tlsConfiguration: $0.serverConfiguration()) } ?? plain
    return Application(
        responder: APIHTTPResponder(router: router, maxBodySize: configuration.maxBodySize),
        server: server,
        configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port),
                                                serverName: configuration.serverName),
        onServerRunning: onServerRunning,
        logger: logger)
}

/// Hummingbird's request context plus the peer address (for audit records).
public struct APIRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// HTTP → ``APIRequest`` → ``APIResponse`` → HTTP.
public struct APIHTTPResponder: HTTPResponder {
    public typealias Context = APIRequestContext
    let router: APIRouter
    let maxBodySize: Int

    static let vaultToken = HTTPField.Name("X-Vault-Token")!

    public init(router: APIRouter, maxBodySize: Int = 1 << 20) {
        self.router = router
        self.maxBodySize = maxBodySize
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        let requestID = UUID().uuidString.lowercased()
        let apiRequest: APIRequest
        do {
            apiRequest = try await Self.translate(&request, maxBodySize: maxBodySize, requestID: requestID,
                                                  remoteAddress: Self.remoteAddress(context))
        } catch let error as APIError {
            return Self.http(error.response, requestID: requestID)
        }
        let response = Self.http(await router.handle(apiRequest), requestID: requestID)
        // HEAD (load balancers probing sys/health): the status and headers only.
        return request.method == .head ? Response(status: response.status, headers: response.headers) : response
    }

    static func translate(_ request: inout Request, maxBodySize: Int, requestID: String,
                          remoteAddress: String? = nil) async throws -> APIRequest {
        let bytes: ByteBuffer
        do { bytes = try await request.collectBody(upTo: maxBodySize) } catch {
            throw APIError(status: 413, ["request body too large (limit \(maxBodySize) bytes)"])
        }
        return try APIRequest.http(method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
                                   token: token(request.headers), body: Array(bytes.readableBytesView),
                                   requestID: requestID, remoteAddress: remoteAddress)
    }

    /// The peer's `ip:port` when the context knows the channel.
    static func remoteAddress(_ context: Context) -> String? {
        guard let address = context.remoteAddress else { return nil }
        if let ip = address.ipAddress, let port = address.port { return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)" }
        return "\(address)"
    }

    /// `X-Vault-Token`, else `Authorization: Bearer <token>`.
    static func token(_ headers: HTTPFields) -> String? {
        if let t = headers[vaultToken], !t.isEmpty { return t }
        if let a = headers[.authorization], a.lowercased().hasPrefix("bearer ") {
            let t = a.dropFirst(7).trimmingCharacters(in: .whitespaces)
            return t.isEmpty ? nil : t
        }
        return nil
    }

    static func http(_ response: APIResponse, requestID: String) -> Response {
        let rendered = response.rendered(requestID: requestID)
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        if let type = rendered.contentType { headers[.contentType] = type }
        let status = HTTPResponse.Status(code: rendered.status)
        if rendered.body.isEmpty { return Response(status: status, headers: headers) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: rendered.body)))
    }
}
