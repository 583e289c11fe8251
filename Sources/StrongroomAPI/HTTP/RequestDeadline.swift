import HTTPTypes
import NIOHTTPTypes
import HummingbirdCore
import NIOConcurrencyHelpers
import NIOCore

/// Vault's `http_read_header_timeout` and `http_read_timeout`: from the first byte of a request,
/// its head must arrive within `headerTimeout` and the whole request within `readTimeout`, or the
/// connection is closed. A client that sends half a header (or a byte every few seconds) no
/// longer keeps a connection, and its file descriptor, for ever. Two handlers share one deadline:
/// ``RawSide`` sits before the HTTP decoder and notices the first byte; ``PartSide`` sits after
/// it and sees the head and the end of each request.
final class RequestDeadline: @unchecked Sendable {
    // Only touched on the channel's event loop.
    private var timer: Scheduled<Void>?
    private var reading = false
    let headerTimeout: TimeAmount
    let readTimeout: TimeAmount

    init(headerTimeout: TimeAmount, readTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
        self.readTimeout = max(readTimeout, headerTimeout)
    }

    private func arm(_ context: ChannelHandlerContext, after delay: TimeAmount) {
        timer?.cancel()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: delay) { channel.close(promise: nil) }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }

    final class RawSide: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        let deadline: RequestDeadline
        init(_ deadline: RequestDeadline) { self.deadline = deadline }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if !deadline.reading {
                deadline.reading = true
                deadline.arm(context, after: deadline.headerTimeout)
            }
            context.fireChannelRead(data)
        }

        func channelInactive(context: ChannelHandlerContext) {
            deadline.disarm()
            context.fireChannelInactive()
        }
    }

    final class PartSide: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        let deadline: RequestDeadline
        init(_ deadline: RequestDeadline) { self.deadline = deadline }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head:
                // The rest of the request gets what is left of the read timeout.
                deadline.arm(context, after: deadline.readTimeout - deadline.headerTimeout)
            case .end:
                deadline.disarm()
                deadline.reading = false
            case .body:
                break
            }
            context.fireChannelRead(data)
        }
    }
}

/// At most `limit` API connections at once; one over the limit is closed as soon as it is
/// accepted, so clients of the HTTP API cannot take every file descriptor the KMIP listeners
/// and SQLite need.
final class ConnectionLimiter: Sendable {
    let limit: Int
    private let open = NIOLockedValueBox(0)

    init(limit: Int) { self.limit = limit }

    /// Counts `channel` until it closes; false (nothing counted) when the limit is reached.
    func admit(_ channel: any Channel) -> Bool {
        let admitted = open.withLockedValue { count -> Bool in
            guard count < limit else { return false }
            count += 1
            return true
        }
        if admitted { channel.closeFuture.whenComplete { _ in self.open.withLockedValue { $0 -= 1 } } }
        return admitted
    }
}
