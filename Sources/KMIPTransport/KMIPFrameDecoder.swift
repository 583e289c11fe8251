import KMIP
import NIOCore

/// Splits a byte stream into whole TTLV messages.
///
/// Reads the 8-byte header (3-byte tag, item type that must be Structure, 4-byte length) and refuses a
/// message longer than `limits.maxMessageBytes` before buffering its body; then emits the whole message,
/// header included, as a slice of the connection's buffer (no copy).
public struct KMIPFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    public let limits: Limits
    /// Length of the message whose header was already checked, while its body is still arriving.
    private var pendingLength: Int?

    public init(limits: Limits = .default) {
        self.limits = limits
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try self.nextFrame(&buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        // A partial message at EOF is dropped: there is nobody left to answer.
        try self.decode(context: context, buffer: &buffer)
    }

    /// The next whole message in `buffer`, or nil when more bytes are needed. Throws `TTLVError` for a
    /// header that is not a Structure or announces more than `limits.maxMessageBytes`.
    public mutating func nextFrame(_ buffer: inout ByteBuffer) throws -> ByteBuffer? {
        let length: Int
        if let pendingLength {
            length = pendingLength
        } else {
            guard buffer.readableBytes >= 8 else { return nil }
            let limits = self.limits
            length = try buffer.withUnsafeReadableBytes { bytes in
                try TTLVReader.frameLength(header: UnsafeRawBufferPointer(rebasing: bytes[0..<8]), limits: limits)
            }
            self.pendingLength = length
        }
        guard buffer.readableBytes >= length else { return nil }
        self.pendingLength = nil
        return buffer.readSlice(length: length)
    }
}
