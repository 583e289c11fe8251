import KMIP
import KMIPTransport
import NIOCore
import NIOEmbedded
import NIOTestUtils
import XCTest

final class KMIPFrameDecoderTests: XCTestCase {
    private func message(_ correlation: String) -> [UInt8] { discoverVersionsRequest(correlation: correlation) }

    func testDecodesMessagesInEveryFragmentation() throws {
        let one = self.message("a")
        let two = self.message("a much longer correlation value that spans several TTLV blocks")
        var both = ByteBuffer(bytes: one)
        both.writeBytes(two)
        let pairs: [(ByteBuffer, [ByteBuffer])] = [
            (ByteBuffer(bytes: one), [ByteBuffer(bytes: one)]),
            (ByteBuffer(bytes: two), [ByteBuffer(bytes: two)]),
            (both, [ByteBuffer(bytes: one), ByteBuffer(bytes: two)]),
        ]
        XCTAssertNoThrow(
            try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { KMIPFrameDecoder() })
    }

    func testWaitsForTheWholeBody() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(KMIPFrameDecoder()))
        let bytes = self.message("x")
        try channel.writeInbound(ByteBuffer(bytes: bytes[0..<7]))
        XCTAssertNil(try channel.readInbound(as: ByteBuffer.self))
        try channel.writeInbound(ByteBuffer(bytes: bytes[7..<(bytes.count - 1)]))
        XCTAssertNil(try channel.readInbound(as: ByteBuffer.self))
        try channel.writeInbound(ByteBuffer(bytes: bytes[(bytes.count - 1)...]))
        XCTAssertEqual(try channel.readInbound(as: ByteBuffer.self), ByteBuffer(bytes: bytes))
        XCTAssertTrue(try channel.finish().isClean)
    }

    func testRefusesAnOversizedHeaderBeforeTheBody() throws {
        let channel = EmbeddedChannel(
            handler: ByteToMessageHandler(KMIPFrameDecoder(limits: Limits(maxMessageBytes: 1024))))
        // Request Message, Structure, length 1 MiB: only the header is sent.
        let header: [UInt8] = [0x42, 0x00, 0x78, 0x01, 0x00, 0x10, 0x00, 0x00]
        XCTAssertThrowsError(try channel.writeInbound(ByteBuffer(bytes: header))) { error in
            XCTAssertEqual((error as? TTLVError)?.kind, .messageTooLarge)
        }
        _ = try? channel.finish()
    }

    func testAcceptsAMessageExactlyAtTheLimit() throws {
        let bytes = self.message("limit")
        let channel = EmbeddedChannel(
            handler: ByteToMessageHandler(KMIPFrameDecoder(limits: Limits(maxMessageBytes: bytes.count))))
        try channel.writeInbound(ByteBuffer(bytes: bytes))
        XCTAssertEqual(try channel.readInbound(as: ByteBuffer.self), ByteBuffer(bytes: bytes))
        XCTAssertTrue(try channel.finish().isClean)
    }

    func testRefusesAHeaderThatIsNotAStructure() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(KMIPFrameDecoder()))
        // Tag 0x420078, item type Integer (0x02), length 4.
        let header: [UInt8] = [0x42, 0x00, 0x78, 0x02, 0x00, 0x00, 0x00, 0x04]
        XCTAssertThrowsError(try channel.writeInbound(ByteBuffer(bytes: header))) { error in
            XCTAssertEqual((error as? TTLVError)?.kind, .invalidItemType)
        }
        _ = try? channel.finish()
    }
}
