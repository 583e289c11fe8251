import KMIP
import KMIPPKI
import NIOCore

/// What the transport hands each whole request message to.
public protocol KMIPRequestProcessor: Sendable {
    /// `message` is one whole TTLV request message whose 8-byte header the frame decoder checked,
    /// read in place from the connection's buffer; `connection` is a number the transport gives
    /// each connection (state a request leaves behind, such as open streams, belongs to it).
    /// Returns one whole TTLV response message, encoded once. Never throws: every failure whose
    /// frame could be read becomes a KMIP error response.
    func process(message: ByteBuffer, client: ClientIdentity, connection: UInt64) async -> ByteBuffer
    /// The answer to a message refused from its 8-byte header alone (too long, not a structure);
    /// the transport sends it and closes. Built by the processor, so every KMIP error response
    /// comes from one place with one clock.
    func refusal(_ error: TTLVError) -> ByteBuffer
    /// The connection closed: whatever it left behind (open streams) can go.
    func connectionClosed(_ connection: UInt64)
}

extension KMIPRequestProcessor {
    /// A request from an in-process caller (tests, tools), on no connection in particular.
    public func process(message: [UInt8], client: ClientIdentity) async -> [UInt8] {
        let response = await process(message: ByteBuffer(bytes: message), client: client, connection: 0)
        return Array(response.readableBytesView)
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
