import KMIPPKI

/// Why a TLS handshake did not yield an authenticated client: a small fixed set, so it can label a
/// metric. Never carries peer data (certificate contents, addresses, error text).
public enum TLSHandshakeFailure: String, Sendable, CaseIterable {
    /// The client presented no certificate (or one that could not be read).
    case noCertificate = "no_certificate"
    /// The authenticator refused the chain (unknown CA, expired, revoked, role gone…).
    case certificateRejected = "certificate_rejected"
    /// The handshake did not finish within the connection timeout.
    case timeout
    /// A TLS protocol error (version or cipher mismatch, bad record…).
    case tlsError = "tls_error"
    /// The peer closed the connection before the handshake finished.
    case peerClosed = "peer_closed"
}

/// What the listener tells about connections (metrics). Called on the connection's event loop:
/// implementations must be cheap and must not block.
public protocol TransportObserver: Sendable {
    /// A connection was accepted (and counted against the connection limit).
    func connectionOpened(id: UInt64)
    /// A connection opened with `connectionOpened` closed; called once per opened connection.
    func connectionClosed(id: UInt64)
    /// A connection was refused at accept time: the listener is full or shutting down.
    func connectionRejected()
    func handshakeSucceeded(id: UInt64, client: ClientIdentity)
    /// Called at most once per connection, with the first reason seen.
    func handshakeFailed(id: UInt64, reason: TLSHandshakeFailure)
}

extension TransportObserver {
    public func connectionRejected() {}
    public func handshakeSucceeded(id: UInt64, client: ClientIdentity) {}
}
