import Foundation
import KMIP
import KMIPCrypto
import NIOConcurrencyHelpers

/// Who owns a stream: a client certificate (scope and serial) on one connection.
public struct StreamOwner: Sendable, Hashable {
    public var client: String
    public var connection: UInt64
}

/// Open streaming operations (Init Indicator → Correlation Value → Final Indicator): each one a
/// cryptographic context (cipher, signer, MAC, digest) owned by the client connection that opened
/// it, found again by its random Correlation Value. Bounded in count per client and in total,
/// closed with their connection, when idle for `idleTimeout` and in any case `maxLifetime` after
/// they opened (a stream kept busy must not keep a key in use for ever), so an abandoned stream
/// cannot pin memory.
final class StreamRegistry: Sendable {
    struct Entry {
        let owner: StreamOwner
        let operation: KMIP.Operation
        let context: any Sendable
        let opened: TimeInterval
        var lastUsed: TimeInterval
        /// Bytes the stream holds in memory (GCM decryption's unverified plaintext).
        var held = 0
    }

    static let maxPerClient = 32
    static let maxTotal = 4_096
    static let idleTimeout: TimeInterval = 300
    /// Default of ``maxLifetime``.
    static let defaultMaxLifetime: TimeInterval = 600  // ten minutes
    static let correlationBytes = 16

    /// Memory all of one client's streams may hold (a stream alone may hold
    /// `CryptoLimits.maxWithheldPlaintext`), and all streams of the server.
    static let defaultHeldPerClient = 64 << 20
    static let defaultHeldTotal = 256 << 20

    private let entries = NIOLockedValueBox<[ByteString: Entry]>([:])
    let maxLifetime: TimeInterval
    let heldPerClient: Int
    let heldTotal: Int

    init(maxLifetime: TimeInterval = StreamRegistry.defaultMaxLifetime, heldPerClient: Int = StreamRegistry.defaultHeldPerClient,
         heldTotal: Int = StreamRegistry.defaultHeldTotal) {
        self.maxLifetime = maxLifetime
        self.heldPerClient = heldPerClient
        self.heldTotal = heldTotal
    }

    /// Counts `bytes` more held by the stream `correlation` (opened by `owner`) against the
    /// client's and the server's budgets; refuses, holding nothing more, when either would be passed.
    func hold(_ bytes: Int, by correlation: ByteString, owner: StreamOwner) throws {
        guard bytes > 0 else { return }
        try entries.withLockedValue { all in
            let now = ProcessInfo.processInfo.systemUptime
            all = all.filter { isLive($0.value, at: now) }
            let total = all.values.reduce(0) { $0 + $1.held }
            let client = all.values.reduce(0) { $0 + ($1.owner.client == owner.client ? $1.held : 0) }
            guard client + bytes <= heldPerClient else {
                throw KMIPError(.generalFailure, "streaming memory budget: this client's streams may hold \(heldPerClient) bytes of unverified plaintext; finish a stream first")
            }
            guard total + bytes <= heldTotal else {
                throw KMIPError(.generalFailure, "streaming memory budget: the server's streams hold \(total) bytes; retry later")
            }
            all[correlation]?.held += bytes
        }
    }

    func isLive(_ entry: Entry, at now: TimeInterval) -> Bool {
        now - entry.lastUsed < Self.idleTimeout && now - entry.opened < maxLifetime
    }

    /// Registers a new stream of `owner` and returns its Correlation Value.
    func open(owner: StreamOwner, operation: KMIP.Operation, context: any Sendable) throws -> ByteString {
        let now = ProcessInfo.processInfo.systemUptime
        let correlation = ByteString(try RNG.retrieve(count: Self.correlationBytes).bytes)
        try entries.withLockedValue { all in
            all = all.filter { isLive($0.value, at: now) }
            guard all.count < Self.maxTotal else {
                throw KMIPError(.operationNotSupported, "too many open streams on this server; finish or abandon some")
            }
            guard all.values.filter({ $0.owner.client == owner.client }).count < Self.maxPerClient else {
                throw KMIPError(.operationNotSupported, "at most \(Self.maxPerClient) open streams per client")
            }
            all[correlation] = Entry(owner: owner, operation: operation, context: context, opened: now, lastUsed: now)
        }
        return correlation
    }

    /// The stream's context, if `owner` opened it for `operation` and it has not expired. With
    /// `final`, the stream is closed (removed) as it is returned.
    func context<C: Sendable>(_ type: C.Type, owner: StreamOwner, operation: KMIP.Operation, correlation: ByteString,
                              final: Bool) throws -> C {
        let now = ProcessInfo.processInfo.systemUptime
        return try entries.withLockedValue { all in
            guard let entry = all[correlation], entry.owner == owner, entry.operation == operation,
                  isLive(entry, at: now), let context = entry.context as? C else {
                throw KMIPError(.itemNotFound, "no open \(operation.name ?? "") stream with this Correlation Value")
            }
            if final { all[correlation] = nil } else { all[correlation]?.lastUsed = now }
            return context
        }
    }

    /// Closes a stream (after a failed step: its context may be in an undefined state).
    func close(_ correlation: ByteString) { entries.withLockedValue { $0[correlation] = nil } }

    /// Closes every stream of a connection that ended (0, "no connection", is never closed).
    func closeAll(connection: UInt64) {
        guard connection != 0 else { return }
        entries.withLockedValue { all in all = all.filter { $0.value.owner.connection != connection } }
    }

    var count: Int { entries.withLockedValue { $0.count } }
}

extension KMIPEngine {
    /// A middle or final step of a stream: `body` gets the open stream's context, whether this is
    /// the last part and the Correlation Value; a failing step closes the stream (its context may
    /// be half updated). Returns false for one-shot and initial steps, which the handler runs.
    func continueStream<S: Sendable>(_ type: S.Type, _ step: StreamStep, _ operation: KMIP.Operation,
                                     _ context: OperationContext,
                                     _ body: (S, _ isFinal: Bool, _ correlation: ByteString) async throws -> Void) async throws -> Bool {
        let correlation: ByteString
        let isFinal: Bool
        switch step {
        case .middle(let c): (correlation, isFinal) = (c, false)
        case .final(let c): (correlation, isFinal) = (c, true)
        case .oneShot, .initial: return false
        }
        let stream = try streams.context(type, owner: context.streamOwner, operation: operation,
                                         correlation: correlation, final: isFinal)
        do {
            try await recheckKey(of: stream, operation, context)
            try await body(stream, isFinal, correlation)
        } catch {
            streams.close(correlation)
            throw error
        }
        return true
    }
}

/// A stream over a managed object (every streamed operation but Hash).
protocol KeyedStream { var uniqueIdentifier: String { get } }
extension CipherStream: KeyedStream {}
extension SignStream: KeyedStream {}
extension VerifyStream: KeyedStream {}
extension MACStream: KeyedStream {}

extension KMIPEngine {
    /// Every part of a stream checks its key again, as a one-shot request would: the object may
    /// have been revoked, destroyed, deactivated or had its usage mask changed since the stream
    /// opened, and a stream must not outlive the key's right to be used.
    func recheckKey(of stream: some Sendable, _ operation: KMIP.Operation, _ context: OperationContext) async throws {
        guard let keyed = stream as? KeyedStream else { return }
        let use: (CryptographicUsageMask, CryptographicUse.Direction) = switch operation {
        case .encrypt: (.encrypt, .protect)
        case .decrypt: (.decrypt, .process)
        case .sign: (.sign, .protect)
        case .signatureVerify: (.verify, .process)
        case .mac: (.macGenerate, .protect)
        case .macVerify: (.macVerify, .process)
        default: throw KMIPError(.generalFailure, "no key check for streamed \(operation.name ?? "operation")")
        }
        var probe = context
        _ = try await cryptographicObject(keyed.uniqueIdentifier, &probe, usage: use.0, direction: use.1)
    }
}
