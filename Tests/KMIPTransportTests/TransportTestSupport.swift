import Foundation
import KMIP
import KMIPClient
import KMIPEngine
import KMIPPKI
import KMIPTransport
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import XCTest

/// One CA, server certificate and client credential shared by the transport tests.
struct TestPKI: Sendable {
    let ca: KMIPCA
    let server: ServerCredential
    let client: ClientCredential

    static let shared: TestPKI = {
        let ca = try! KMIPCA.generate()
        let server = try! ca.issueServerCertificate(hostnames: ["localhost"], ips: ["127.0.0.1"])
        let client = try! ca.issueClientCredential(scopeID: "scop1", roleID: "role1", keySpec: .defaultEC, ttl: 3600)
        return TestPKI(ca: ca, server: server, client: client)
    }()

    func newClient(scopeID: String = "scop1", roleID: String = "role1", ttl: TimeInterval = 3600, now: Date = Date())
        -> ClientCredential
    {
        try! self.ca.issueClientCredential(scopeID: scopeID, roleID: roleID, keySpec: .defaultEC, ttl: ttl, now: now)
    }
}

actor RevocationList {
    private var serials: Set<String> = []
    func revoke(_ serial: String) { self.serials.insert(serial) }
    func contains(_ serial: String) -> Bool { self.serials.contains(serial) }
}

/// A real authenticator over KMIPCA.verifyClient and a revocation set.
struct TestAuthenticator: ClientAuthenticator {
    let ca: KMIPCA
    let revocations: RevocationList

    func authenticate(leafDER: [UInt8], chainDER: [[UInt8]]) async throws -> ClientIdentity {
        let revocations = self.revocations
        return try await self.ca.verifyClient(leafDER: leafDER, intermediatesDER: chainDER) { serial in
            await revocations.contains(serial)
        }
    }

    func isValid(_ identity: ClientIdentity) async -> Bool {
        await !self.revocations.contains(identity.serialNumber)
    }
}

/// Answers Discover Versions (1.4…1.0) and fails every other operation with a message naming the caller.
/// Echoes the Client Correlation Value, so that tests can match responses to requests.
final class StubProcessor: KMIPRequestProcessor {
    private let state = NIOLockedValueBox((calls: 0, finished: 0))
    let delay: Duration

    init(delay: Duration = .zero) { self.delay = delay }

    var calls: Int { self.state.withLockedValue { $0.calls } }
    var finished: Int { self.state.withLockedValue { $0.finished } }

    func process(message: ByteBuffer, client: ClientIdentity, connection: UInt64) async -> ByteBuffer {
        ByteBuffer(bytes: await self.answer(Array(message.readableBytesView), client: client))
    }

    func refusal(_ error: TTLVError) -> ByteBuffer {
        let header = ResponseHeader(protocolVersion: .v1_0, timeStamp: DateTime(secondsSince1970: 0), batchCount: 1)
        let item = ResponseBatchItem(operation: nil, error: KMIPError(.invalidMessage, error.description))
        return ByteBuffer(bytes: ResponseMessage(header: header, batchItems: [item]).encoded())
    }

    private func answer(_ message: [UInt8], client: ClientIdentity) async -> [UInt8] {
        self.state.withLockedValue { $0.calls += 1 }
        defer { self.state.withLockedValue { $0.finished += 1 } }
        if self.delay > .zero { try? await Task.sleep(for: self.delay) }
        let request: RequestMessage
        do {
            request = try RequestMessage(ttlv: message)
        } catch {
            var header = ResponseHeader(protocolVersion: .v1_4, timeStamp: DateTime(secondsSince1970: 0), batchCount: 1)
            header.batchCount = 1
            return ResponseMessage(
                header: header,
                batchItems: [ResponseBatchItem(operation: nil, error: KMIPError(.invalidMessage, "\(error)"))]
            ).encoded()
        }
        var header = ResponseHeader(
            protocolVersion: request.requestHeader.protocolVersion,
            timeStamp: DateTime(secondsSince1970: Int64(Date().timeIntervalSince1970)),
            batchCount: Int32(request.batchItems.count))
        header.clientCorrelationValue = request.requestHeader.clientCorrelationValue
        let items = request.batchItems.map { item -> ResponseBatchItem in
            if item.operation == .discoverVersions {
                var payload = DiscoverVersionsResponsePayload()
                payload.protocolVersions = [.v1_4, .v1_3, .v1_2, .v1_1, .v1_0]
                return ResponseBatchItem(operation: .discoverVersions, uniqueBatchItemID: item.uniqueBatchItemID, payload: payload)
            }
            return ResponseBatchItem(
                operation: item.operation, uniqueBatchItemID: item.uniqueBatchItemID,
                error: KMIPError(.operationNotSupported, "stub for scope=\(client.scopeID) role=\(client.roleID)"))
        }
        return ResponseMessage(header: header, batchItems: items).encoded()
    }
}

/// A Discover Versions request carrying `correlation` as its Client Correlation Value.
func discoverVersionsRequest(correlation: String? = nil) -> [UInt8] {
    var header = RequestHeader(protocolVersion: .v1_4, batchCount: 1)
    header.clientCorrelationValue = correlation
    return RequestMessage(
        header: header, batchItems: [RequestBatchItem(operation: .discoverVersions, payload: DiscoverVersionsRequestPayload())]
    ).encoded()
}

/// A listener on 127.0.0.1:0 with the shared PKI, a stub processor and small timeouts.
struct TestServer {
    let listener: KMIPListener
    let processor: StubProcessor
    let revocations: RevocationList
    let port: Int
    let pki: TestPKI

    static func start(
        processor: StubProcessor = StubProcessor(),
        metrics: any MetricsFactory = MetricsSystem.factory,
        configure: (inout TransportConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        let pki = TestPKI.shared
        var configuration = TransportConfiguration(
            listenAddresses: ["127.0.0.1:0"],
            serverCertificateChainPEM: [pki.server.certificatePEM] + pki.server.caChain.dropLast(),
            serverPrivateKeyPEM: pki.server.privateKeyPEM,
            clientTrustRootsPEM: pki.ca.caChain)
        configuration.connectionTimeout = .milliseconds(500)
        configuration.idleTimeout = .seconds(30)
        configuration.revalidationInterval = .milliseconds(100)
        configuration.shutdownGracePeriod = .seconds(3)
        configure(&configuration)
        let revocations = RevocationList()
        var logger = Logger(label: "test.kmip.transport")
        logger.logLevel = ProcessInfo.processInfo.environment["KMIP_TEST_LOG"] != nil ? .trace : .critical
        let listener = KMIPListener(
            configuration: configuration, processor: processor,
            authenticator: TestAuthenticator(ca: pki.ca, revocations: revocations), logger: logger, metrics: metrics)
        let addresses = try await listener.start()
        guard let port = addresses.first?.port else { throw TransportError(.invalidAddress, "no bound port") }
        return TestServer(listener: listener, processor: processor, revocations: revocations, port: port, pki: pki)
    }

    func clientConfiguration(_ credential: ClientCredential? = nil) -> KMIPClientConfiguration {
        let credential = credential ?? self.pki.client
        var configuration = KMIPClientConfiguration(
            host: "127.0.0.1", port: self.port, trustRootsPEM: [self.pki.ca.rootPEM],
            certificateChainPEM: [credential.certificatePEM], privateKeyPEM: credential.privateKeyPEM!)
        configuration.serverHostname = "localhost"
        configuration.timeout = .seconds(3)
        return configuration
    }

    func connect(_ credential: ClientCredential? = nil) async throws -> KMIPClient {
        try await KMIPClient.connect(self.clientConfiguration(credential))
    }
}

/// A bare NIO client (optionally TLS) recording whole frames received and when the server closes.
final class RawClient: Sendable {
    let channel: any Channel
    private let frames: NIOLockedValueBox<[[UInt8]]>
    let handshake: EventLoopFuture<Void>

    private init(channel: any Channel, frames: NIOLockedValueBox<[[UInt8]]>, handshake: EventLoopFuture<Void>) {
        self.channel = channel
        self.frames = frames
        self.handshake = handshake
    }

    /// `credential` nil sends no client certificate; `tls` false is plain TCP.
    static func connect(
        port: Int, tls: Bool = true, credential: ClientCredential? = nil, maximumTLSVersion: TLSVersion? = nil,
        cipherSuites: String? = nil
    ) async throws -> RawClient {
        let frames = NIOLockedValueBox<[[UInt8]]>([])
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let handshake = loop.makePromise(of: Void.self)
        var sslContext: NIOSSLContext?
        if tls {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(TestPKI.shared.ca.rootPEM.utf8)))
            configuration.certificateVerification = .noHostnameVerification
            configuration.maximumTLSVersion = maximumTLSVersion
            if let cipherSuites { configuration.cipherSuites = cipherSuites }
            if let credential {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(credential.certificatePEM.utf8))
                    .map { .certificate($0) }
                configuration.privateKey = .privateKey(
                    try NIOSSLPrivateKey(bytes: Array(credential.privateKeyPEM!.utf8), format: .pem))
            }
            sslContext = try NIOSSLContext(configuration: configuration)
        } else {
            handshake.succeed()
        }
        let context = sslContext
        let channel = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KMIPFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(RawRecorder(frames: frames, handshake: handshake))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        channel.closeFuture.whenComplete { _ in handshake.fail(ChannelError.ioOnClosedChannel) }
        return RawClient(channel: channel, frames: frames, handshake: handshake.futureResult)
    }

    var received: [[UInt8]] { self.frames.withLockedValue { $0 } }
    var isActive: Bool { self.channel.isActive }

    func send(_ bytes: [UInt8]) async throws {
        try await self.channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Waits until the server closed the connection; false if still open after `timeout`.
    func waitClosed(within timeout: Duration) async -> Bool {
        await waitUntil(timeout) { !self.channel.isActive }
    }

    func close() async { try? await self.channel.close() }
}

private final class RawRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let frames: NIOLockedValueBox<[[UInt8]]>
    let handshake: EventLoopPromise<Void>

    init(frames: NIOLockedValueBox<[[UInt8]]>, handshake: EventLoopPromise<Void>) {
        self.frames = frames
        self.handshake = handshake
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Array(Self.unwrapInboundIn(data).readableBytesView)
        self.frames.withLockedValue { $0.append(frame) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.handshakeCompleted) = event as? TLSUserEvent { self.handshake.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.handshake.fail(error)
        context.close(promise: nil)
    }
}

/// Polls `condition` every 10 ms; true as soon as it holds, false after `timeout`.
func waitUntil(_ timeout: Duration, _ condition: () async -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}

/// True when a Discover Versions exchange with `configuration` fails (at connect or at the first request).
func exchangeFails(_ configuration: KMIPClientConfiguration) async -> Bool {
    do {
        let client = try await KMIPClient.connect(configuration)
        defer { Task { await client.close() } }
        _ = try await client.send(raw: discoverVersionsRequest())
        return false
    } catch {
        return true
    }
}
