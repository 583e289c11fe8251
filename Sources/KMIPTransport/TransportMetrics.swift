import Metrics

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

/// The listener's metrics, made once per listener from its swift-metrics factory: every label value
/// is one of a fixed set, so recording is a counter's own increment (called on event loops).
struct TransportMetrics: Sendable {
    /// `kmip_connections_active`: open connections, handshaking ones included.
    let connectionsActive: Meter
    /// `kmip_connections_rejected_total`: refused at `maxConnections` or during shutdown.
    let connectionsRejected: Counter
    /// `kmip_tls_handshakes_total{result}`: `success` or a ``TLSHandshakeFailure``.
    let handshakeSucceeded: Counter
    let handshakeFailed: [TLSHandshakeFailure: Counter]

    init(factory: any MetricsFactory) {
        connectionsActive = Meter(label: "kmip_connections_active", factory: factory)
        connectionsRejected = Counter(label: "kmip_connections_rejected_total", factory: factory)
        handshakeSucceeded = Counter(label: "kmip_tls_handshakes_total", dimensions: [("result", "success")], factory: factory)
        var failed: [TLSHandshakeFailure: Counter] = [:]
        for reason in TLSHandshakeFailure.allCases {
            failed[reason] = Counter(label: "kmip_tls_handshakes_total", dimensions: [("result", reason.rawValue)], factory: factory)
        }
        handshakeFailed = failed
    }
}
