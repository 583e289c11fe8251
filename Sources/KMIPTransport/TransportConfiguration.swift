import KMIP
import KMIPEngine
import NIOCore

/// The lowest TLS version the listener accepts.
public enum TLSMinimumVersion: String, Sendable {
    case tls12, tls13
}

/// Everything the KMIP listener needs: where to listen, its TLS identity, whom to trust, and its limits.
public struct TransportConfiguration: Sendable {
    /// `host:port` (IPv6 as `[::1]:5696`); port 0 binds an ephemeral port.
    public var listenAddresses: [String]
    public var tlsMinimumVersion: TLSMinimumVersion = .tls12
    /// The highest TLS version accepted; nil: the highest the library supports (1.3).
    public var tlsMaximumVersion: TLSMinimumVersion?
    /// IANA names of the TLS 1.2 suites offered; empty: ``ServerTLS/tls12CipherSuites``. Names outside
    /// ``ServerTLS/namedCipherSuites`` are refused when the listener starts.
    public var tls12CipherSuites: [String] = []
    /// The server's certificate first, then its intermediate(s).
    public var serverCertificateChainPEM: [String]
    /// Secret: never logged, never part of `description`.
    public var serverPrivateKeyPEM: String
    /// The mount's CA certificates (root, intermediate), sent to clients as acceptable CA names.
    /// Client chains themselves are verified by the `ClientAuthenticator`.
    public var clientTrustRootsPEM: [String]
    /// Bounds the TLS handshake, client certificate verification included (Vault's `connection_timeout`).
    public var connectionTimeout: Duration = .seconds(1)
    /// A connection with no complete request (and none in flight) for this long is closed.
    public var idleTimeout: Duration = .seconds(300)
    /// Connections beyond this many are closed as soon as they are accepted.
    public var maxConnections: Int = 4096
    /// Connections one client certificate (scope and serial) may hold: one credential cannot take
    /// every connection. Counted once its handshake proves who it is.
    public var maxConnectionsPerClient: Int = 256
    /// `maxMessageBytes` caps a frame before anything is allocated for it.
    public var limits: Limits = .default
    /// How often open connections are re-checked with `ClientAuthenticator.isValid`.
    public var revalidationInterval: Duration = .seconds(1)
    /// How long `shutdown()` waits for in-flight requests before closing the remaining connections.
    public var shutdownGracePeriod: Duration = .seconds(10)
    /// Requests a connection may have queued (pipelined) before the listener stops reading from it.
    public var maxPipelinedRequests: Int = 64
    /// Bytes of received, unanswered requests one connection may hold before reading pauses
    /// (at least one maximum-size message).
    public var maxPendingBytes: Int = 8 << 20
    /// Bytes of received, unanswered requests all connections together may hold: beyond one
    /// request in flight each, connections are not read while the total is over this.
    public var maxPipelinedBytes: Int = 64 << 20
    /// What a connection speaks inside TLS: TTLV messages back to back (the KMIP port) or HTTP/1.1
    /// POSTs of one message each (the KMIP HTTPS profile, with TTLV, JSON or XML bodies).
    public var framing: Framing = .ttlv
    /// HTTPS: a request's body must have arrived this long after its headers (a slow body is cut
    /// off with 408); headers that never complete fall to `idleTimeout`.
    public var httpRequestTimeout: Duration = .seconds(10)

    public init(
        listenAddresses: [String],
        serverCertificateChainPEM: [String],
        serverPrivateKeyPEM: String,
        clientTrustRootsPEM: [String]
    ) {
        self.listenAddresses = listenAddresses
        self.serverCertificateChainPEM = serverCertificateChainPEM
        self.serverPrivateKeyPEM = serverPrivateKeyPEM
        self.clientTrustRootsPEM = clientTrustRootsPEM
    }
}

/// What a listener's connections carry inside TLS.
public enum Framing: String, Sendable, Hashable {
    /// KMIP messages back to back (the binary port).
    case ttlv
    /// `POST /kmip` (or `/kmip/2_1`) with one message per request; the Content-Type names the
    /// encoding (``KMIP/MessageEncoding``) and the answer comes in the same one.
    case https
}

extension TransportConfiguration: CustomStringConvertible {
    public var description: String {
        "TransportConfiguration(listen: \(listenAddresses), framing: \(framing.rawValue), tlsMinimumVersion: \(tlsMinimumVersion.rawValue), "
            + "connectionTimeout: \(connectionTimeout), idleTimeout: \(idleTimeout), maxConnections: \(maxConnections), "
            + "maxMessageBytes: \(limits.maxMessageBytes), privateKey: <redacted>)"
    }
}

/// A listener that could not be configured or started.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case invalidAddress, invalidCertificate, invalidPrivateKey, tooManyConnections, shutDown
    }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var description: String { message }
}

enum ListenAddress {
    /// Splits `host:port` / `[v6]:port` (port 0: the system picks one).
    static func parse(_ text: String) throws -> (host: String, port: Int) {
        do {
            let address = try HostPort(parsing: text, allowsPortZero: true)
            return (address.host, address.port)
        } catch {
            throw TransportError(.invalidAddress, "listen address \(error.description)")
        }
    }
}

extension String {
    var trimmingSpaces: Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return s
    }
}
