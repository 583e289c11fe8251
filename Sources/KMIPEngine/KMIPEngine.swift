import KMIP
import KMIPPKI
import KMIPStore
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore

/// The transport-agnostic KMIP server: decodes a request message, authorises it against the
/// caller's scope and role, runs its batch items through one handler per operation and encodes the
/// response in the request's protocol version.
public final class KMIPEngine: KMIPRequestProcessor {
    let objects: any ObjectStore
    let logger: Logger
    public let limits: Limits
    let authorizer: Authorizer
    /// Streaming Encrypt/Decrypt/Sign/Verify/MAC/Hash contexts, per client.
    let streams: StreamRegistry
    /// Requests answered Operation Pending, until their Poll.
    let pending = PendingRequests()
    /// CPU-heavy work (key generation, private-key operations), per credential, round robin.
    let heavy: HeavyWorkPool
    /// Parsed OpenSSL keys of stored key objects (Sign, Signature Verify, RSA Encrypt/Decrypt).
    let storedKeys = StoredKeyCache()
    let clock: @Sendable () -> DateTime
    /// Sees every batch item (audit log); nil costs nothing.
    let observer: (any KMIPRequestObserver)?
    /// The mount's `kmip/config` answers for particular clients; each request reads it once.
    private let compatibilityBox = NIOLockedValueBox(ClientCompatibility())
    public var compatibility: ClientCompatibility {
        get { compatibilityBox.withLockedValue { $0 } }
        set { compatibilityBox.withLockedValue { $0 = newValue } }
    }
    /// Counts and times every batch item.
    let metrics: EngineMetrics

    public init(objects: any ObjectStore, mount: any MountStore, logger: Logger,
                limits: Limits = .default, clock: @escaping @Sendable () -> DateTime = { DateTime.now },
                observer: (any KMIPRequestObserver)? = nil, streamLifetime: Double = 600,
                heavy: HeavyWorkPool = .shared, streamHeldPerClient: Int = 64 << 20, streamHeldTotal: Int = 256 << 20,
                metrics: any MetricsFactory = MetricsSystem.factory, directory: CredentialDirectory? = nil) {
        self.observer = observer
        self.metrics = EngineMetrics(factory: metrics)
        self.heavy = heavy
        self.streams = StreamRegistry(maxLifetime: streamLifetime, heldPerClient: streamHeldPerClient, heldTotal: streamHeldTotal)
        self.objects = objects
        self.logger = logger
        self.limits = limits
        // The server passes its mount's directory (one cache with the handshake check).
        self.authorizer = Authorizer(directory: directory ?? CredentialDirectory(store: mount))
        self.clock = clock
    }

    public func process(message: ByteBuffer, client: ClientIdentity, connection: UInt64) async -> ByteBuffer {
        let request: RequestMessage
        do {
            request = try message.withUnsafeReadableBytes { try RequestMessage(ttlvBytes: $0, limits: limits) }
        } catch {
            let response = Self.unparsableResponse(Array(message.readableBytesView), error: error, now: clock())
            await observeRefused(response.batchItems, client: client, version: response.responseHeader.protocolVersion,
                                 connection: connection)
            return ByteBuffer(bytes: response.encoded())
        }
        let response = await respondUnbounded(to: request, client: client, connection: connection)
        return ByteBuffer(bytes: Self.encoded(response, maximumResponseSize: request.requestHeader.maximumResponseSize))
    }

    public func refusal(_ error: TTLVError) -> ByteBuffer {
        // Only the header was read: KMIP 1.0, which every client reads.
        ByteBuffer(bytes: Self.failure(version: .v1_0, operation: nil, KMIPError(.invalidMessage, error.description), now: clock()).encoded())
    }

    /// Closes the streams the connection left open.
    public func connectionClosed(_ connection: UInt64) { streams.closeAll(connection: connection) }

    /// Runs a decoded request (tests and in-process callers use this directly). `connection`
    /// identifies the client's connection (0: none in particular); open streams belong to it.
    public func respond(to request: RequestMessage, client: ClientIdentity, connection: UInt64 = 0) async -> ResponseMessage {
        Self.enforceMaximumResponseSize(await respondUnbounded(to: request, client: client, connection: connection),
                                        request.requestHeader.maximumResponseSize)
    }

    /// The response before Maximum Response Size is applied (``encoded(_:maximumResponseSize:)``
    /// applies it while encoding, once).
    private func respondUnbounded(to request: RequestMessage, client: ClientIdentity, connection: UInt64) async -> ResponseMessage {
        let version = Self.responseVersion(for: request.requestHeader.protocolVersion)
        var header = ResponseHeader()
        header.protocolVersion = version
        header.timeStamp = clock()
        header.clientCorrelationValue = request.requestHeader.clientCorrelationValue

        let items: [ResponseBatchItem]
        if request.requestHeader.protocolVersion.major != 1 || request.requestHeader.protocolVersion > .latest {
            items = Self.failAll(request, KMIPError(
                .invalidMessage, "protocol version \(request.requestHeader.protocolVersion) is not supported; use 1.0–1.4"))
            await observeRefused(items, client: client, version: version, connection: connection)
        } else if let invalid = Self.headerProblem(request) {
            items = Self.failAll(request, invalid)
            await observeRefused(items, client: client, version: version, connection: connection)
        } else {
            switch await authorizer.role(for: client) {
            case .failure(let error):
                items = Self.failAll(request, error)
                await observeRefused(items, client: client, version: version, connection: connection)
            case .success(let role):
                var context = OperationContext(
                    scopeID: client.scopeID, client: client, role: role, version: version, now: header.timeStamp,
                    connection: connection)
                context.compatibility = compatibility
                items = await BatchExecutor(engine: self).run(request, context: context)
            }
        }
        var response = ResponseMessage(header: header, batchItems: items)
        response.responseHeader.batchCount = Int32(items.count)
        return response
    }

    /// One failed item per request item, each echoing its Unique Batch Item ID.
    static func failAll(_ request: RequestMessage, _ error: KMIPError) -> [ResponseBatchItem] {
        guard !request.batchItems.isEmpty else { return [ResponseBatchItem(operation: nil, error: error)] }
        return request.batchItems.map {
            ResponseBatchItem(operation: $0.operation, uniqueBatchItemID: $0.uniqueBatchItemID, error: error)
        }
    }

    /// Forgets cached authorisation decisions: call after a revocation or a role or scope change,
    /// so open connections are refused on their next request.
    public func invalidateAuthorizations() { authorizer.invalidate() }

    /// The request's version when we speak it; anything else is answered in our highest version.
    static func responseVersion(for requested: ProtocolVersion) -> ProtocolVersion {
        ProtocolVersion.supported.contains(requested) ? requested : .latest
    }

    static func headerProblem(_ request: RequestMessage) -> KMIPError? {
        if request.batchItems.isEmpty { return KMIPError(.invalidMessage, "the request holds no batch items") }
        if Int(request.requestHeader.batchCount) != request.batchItems.count {
            return KMIPError(.invalidMessage,
                "Batch Count \(request.requestHeader.batchCount) does not match the \(request.batchItems.count) batch items")
        }
        if request.batchItems.count > 1, request.batchItems.contains(where: { $0.uniqueBatchItemID == nil }) {
            return KMIPError(.invalidMessage, "every batch item of a multi-item request needs a Unique Batch Item ID")
        }
        return nil
    }

    /// Replaces the payloads with Response Too Large errors when the encoded response exceeds what
    /// the client said it can take.
    static func enforceMaximumResponseSize(_ response: ResponseMessage, _ maximum: Int32?) -> ResponseMessage {
        guard let maximum, maximum > 0, response.encoded().count > Int(maximum) else { return response }
        return tooLarge(response, maximum)
    }

    /// `response` encoded once; encoded again, without its payloads, only when it exceeds the
    /// client's Maximum Response Size.
    static func encoded(_ response: ResponseMessage, maximumResponseSize maximum: Int32?) -> [UInt8] {
        let bytes = response.encoded()
        guard let maximum, maximum > 0, bytes.count > Int(maximum) else { return bytes }
        return tooLarge(response, maximum).encoded()
    }

    private static func tooLarge(_ response: ResponseMessage, _ maximum: Int32) -> ResponseMessage {
        var trimmed = response
        trimmed.batchItems = response.batchItems.map { item in
            guard item.resultStatus == .success else { return item }
            return ResponseBatchItem(operation: item.operation, uniqueBatchItemID: item.uniqueBatchItemID, error: KMIPError(
                .responseTooLarge, "the response exceeds the Maximum Response Size of \(maximum) bytes"))
        }
        return trimmed
    }

    /// The answer to a message that could not be decoded: one failed item, in the version its
    /// header names when that much can be read.
    static func unparsableResponse(_ bytes: [UInt8], error: any Error, now: DateTime) -> ResponseMessage {
        let kmipError: KMIPError = switch error {
        case let e as TTLVError: KMIPError(e.resultReason == .generalFailure ? .invalidMessage : e.resultReason, e.description)
        case let e as KMIPError: e
        default: KMIPError(.invalidMessage, "\(error)")
        }
        return failure(version: responseVersion(for: MessagePeek.protocolVersion(bytes) ?? .latest),
                       operation: MessagePeek.firstOperation(bytes), kmipError, now: now)
    }

    /// A response with one failed item: for messages no batch item of which could be read.
    static func failure(version: ProtocolVersion, operation: Operation?, _ error: KMIPError, now: DateTime) -> ResponseMessage {
        var header = ResponseHeader()
        header.protocolVersion = version
        header.timeStamp = now
        header.batchCount = 1
        return ResponseMessage(header: header, batchItems: [ResponseBatchItem(operation: operation, error: error)])
    }
}
