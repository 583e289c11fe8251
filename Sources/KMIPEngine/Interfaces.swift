import KMIP
import KMIPPKI

/// What the transport hands each whole request message to.
public protocol KMIPRequestProcessor: Sendable {
    /// `message` is one whole TTLV request message whose 8-byte header the frame decoder checked.
    /// Returns one whole TTLV response message. Never throws: every failure whose frame could be
    /// read becomes a KMIP error response.
    func process(message: [UInt8], client: ClientIdentity) async -> [UInt8]
    /// The same, for a request that arrived on connection `connection` (a number the transport
    /// gives each connection): state a request leaves behind (open streams) belongs to it.
    func process(message: [UInt8], client: ClientIdentity, connection: UInt64) async -> [UInt8]
    /// The connection closed: whatever it left behind (open streams) can go.
    func connectionClosed(_ connection: UInt64)
}

extension KMIPRequestProcessor {
    public func process(message: [UInt8], client: ClientIdentity, connection: UInt64) async -> [UInt8] {
        await process(message: message, client: client)
    }
    public func connectionClosed(_ connection: UInt64) {}
}

/// Decides, at handshake time and afterwards, whether a client certificate may speak.
public protocol ClientAuthenticator: Sendable {
    /// Verifies the presented chain (leaf first) against the mount's CA, validity dates and the
    /// revocation registry; returns who it speaks for. Throws when the client must be refused.
    func authenticate(leafDER: [UInt8], chainDER: [[UInt8]]) async throws -> ClientIdentity
    /// False once the identity's credential was revoked or its role or scope deleted. The transport
    /// polls this for open connections and closes those that turned invalid.
    func isValid(_ identity: ClientIdentity) async -> Bool
}
