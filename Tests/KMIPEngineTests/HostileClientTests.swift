import Foundation
import KMIP
import KMIPCrypto
import KMIPStore
import Logging
import XCTest
@testable import KMIPEngine

/// What a client holding a credential must not be able to do to another client's objects: undo
/// their changes through a Batch Error Continuation Option of Undo, or keep using a key through a
/// stream after it was revoked or destroyed.
final class HostileClientTests: XCTestCase {
    static let rsa: AsymmetricKey = try! AsymmetricKey.generateRSA(bits: 2048)

    private func destroyRequest(_ uid: String) -> RequestBatchItem {
        var d = DestroyRequestPayload(); d.uniqueIdentifier = uid
        return RequestBatchItem(operation: .destroy, payload: d)
    }

    private func revoke(_ h: EngineHarness, _ uid: String, _ code: RevocationReasonCode = .keyCompromise) async throws {
        var r = RevokeRequestPayload(); r.uniqueIdentifier = uid; r.revocationReason = RevocationReason(code)
        if code == .keyCompromise { r.compromiseOccurrenceDate = h.clock.now }
        _ = try await h.succeed(.revoke, r, RevokeResponsePayload.self)
    }

    /// The finding: a role with `operation_none` sent {Undo, Destroy X} on three connections while
    /// X's owner revoked and destroyed it, and X came back. Only authorised, successful items may
    /// be undone, so the attacker's batches undo nothing and X stays destroyed, every round.
    func testUndoBatchesOfAnUnauthorisedClientCannotBringBackARevokedAndDestroyedKey() async throws {
        for backend in EngineHarness.Backend.allCases {
            let h = try await EngineHarness.make(backend)
            let attacker = try await h.makeClient(scope: "default", role: "nothing", all: false, operations: [])
            for round in 1...20 {
                let x = try await h.createKey()
                var activate = ActivateRequestPayload(); activate.uniqueIdentifier = x
                _ = try await h.succeed(.activate, activate, ActivateResponsePayload.self)
                let request = destroyRequest(x)
                let attacks = (0..<3).map { connection in
                    Task {
                        var denied = 0
                        for _ in 0..<30 {
                            var header = RequestHeader(protocolVersion: .v1_4, batchCount: 1)
                            header.batchErrorContinuationOption = .undo
                            let r = await h.engine.respond(to: RequestMessage(header: header, batchItems: [request]),
                                                           client: attacker, connection: UInt64(connection + 1))
                            if r.batchItems[0].resultReason == .permissionDenied { denied += 1 }
                            await Task.yield()
                        }
                        return denied
                    }
                }
                try await revoke(h, x)
                _ = try await h.succeed(.destroy, DestroyRequestPayload(uniqueIdentifier: x), DestroyResponsePayload.self)
                var denials = 0
                for attack in attacks { denials += await attack.value }
                XCTAssertEqual(denials, 90, "every attacking Destroy is refused (\(backend), round \(round))")
                let found = try await h.record(x)
                let stored = try XCTUnwrap(found)
                XCTAssertEqual(stored.state, .destroyedCompromised, "\(backend), round \(round)")
                XCTAssertNil(stored.keyMaterial, "\(backend), round \(round): the key material stays gone")
                var get = GetRequestPayload(); get.uniqueIdentifier = x
                let served = await h.one(.get, get)
                XCTAssertNotEqual(served.resultStatus, .success, "\(backend), round \(round): Get serves nothing")
            }
        }
    }

    /// Undo restores an object only while it is as the batch left it: a change made since by
    /// another client wins, and the item that made the overwritten change keeps its Success.
    func testUndoIsACompareAndSetAndAConcurrentChangeWins() async throws {
        let h = try await EngineHarness.make()
        let x = try await h.createKey()
        var add = AddAttributeRequestPayload()
        add.uniqueIdentifier = x
        add.attribute = Attribute(name: "x-batch", value: .textString("mine"))
        var context = OperationContext(scopeID: h.client.scopeID, client: h.client,
                                       role: RoleRecord(scopeID: h.client.scopeID, name: "admin", allowsAllOperations: true),
                                       version: .v1_4, now: h.clock.now)
        context.journalsChanges = true
        _ = try await h.engine.addAttribute(add, &context)
        XCTAssertEqual(context.effects.count, 1, "the change is journaled from inside its transaction")
        // Another client changes the object after the batch did.
        var other = AddAttributeRequestPayload()
        other.uniqueIdentifier = x
        other.attribute = Attribute(name: "x-other", value: .textString("theirs"))
        _ = try await h.succeed(.addAttribute, other, AddAttributeResponsePayload.self)

        var responses = [ResponseBatchItem(operation: .addAttribute, uniqueBatchItemID: nil, payload: AddAttributeResponsePayload()),
                         ResponseBatchItem(operation: .get, uniqueBatchItemID: nil, error: KMIPError(.itemNotFound, "x"))]
        await BatchExecutor(engine: h.engine).undo(&responses, effects: context.effects, scopeID: h.client.scopeID)
        XCTAssertEqual(responses.map(\.resultStatus), [.success, .operationFailed], "not undone: reported as done")
        let changed = try await h.record(x)
        let attributes = try XCTUnwrap(changed).attributes
        XCTAssertNotNil(attributes.first { $0.attributeName == "x-other" }, "the other client's change stands")
        XCTAssertNotNil(attributes.first { $0.attributeName == "x-batch" })

        // Without the interference the same undo restores the object exactly.
        var clean = context
        clean.effects = []
        var add2 = add
        add2.attribute = Attribute(name: "x-batch2", value: .textString("undo me"))
        let read = try await h.record(x)
        let before = try XCTUnwrap(read)
        _ = try await h.engine.addAttribute(add2, &clean)
        var responses2 = [ResponseBatchItem(operation: .addAttribute, uniqueBatchItemID: nil, payload: AddAttributeResponsePayload())]
        await BatchExecutor(engine: h.engine).undo(&responses2, effects: clean.effects, scopeID: h.client.scopeID)
        XCTAssertEqual(responses2.map(\.resultStatus), [.operationUndone])
        let after = try await h.record(x)
        XCTAssertEqual(after, before)
    }

    private func signPart(_ h: EngineHarness, _ correlation: ByteString, _ data: [UInt8]) async -> ResponseBatchItem {
        var next = SignRequestPayload(); next.correlationValue = correlation; next.data = ByteString(data)
        return await h.one(.sign, next)
    }

    private func openSignStream(_ h: EngineHarness, _ priv: String) async throws -> ByteString {
        var first = SignRequestPayload()
        first.uniqueIdentifier = priv
        var p = CryptographicParameters(); p.hashingAlgorithm = .sha256; p.paddingMethod = .pkcs1V15
        first.cryptographicParameters = p
        first.data = ByteString([1, 2, 3])
        first.initIndicator = true
        let opened = try await h.succeed(.sign, first, SignResponsePayload.self)
        return try XCTUnwrap(opened.correlationValue)
    }

    /// A Sign stream opened before a Revoke or a Destroy signs nothing after it.
    func testASignStreamStopsWhenItsKeyIsRevokedOrDestroyed() async throws {
        let h = try await EngineHarness.make()
        let (priv, _) = try await h.registerPair(Self.rsa)
        let revoked = try await openSignStream(h, priv)
        let stillFine = await signPart(h, revoked, [4])
        XCTAssertEqual(stillFine.resultStatus, .success, stillFine.resultMessage ?? "")
        try await revoke(h, priv, .cessationOfOperation)
        let afterRevoke = await signPart(h, revoked, [5])
        XCTAssertEqual(afterRevoke.resultStatus, .operationFailed, "a revoked key signs no more")
        var final = SignRequestPayload(); final.correlationValue = revoked; final.finalIndicator = true
        let closed = await h.one(.sign, final)
        XCTAssertEqual(closed.resultReason, .itemNotFound, "the failed part closed the stream")

        let (priv2, _) = try await h.registerPair(Self.rsa)
        let destroyed = try await openSignStream(h, priv2)
        try await revoke(h, priv2, .cessationOfOperation)
        _ = try await h.succeed(.destroy, DestroyRequestPayload(uniqueIdentifier: priv2), DestroyResponsePayload.self)
        var last = SignRequestPayload(); last.correlationValue = destroyed; last.finalIndicator = true
        let afterDestroy = await h.one(.sign, last)
        XCTAssertEqual(afterDestroy.resultStatus, .operationFailed)
        XCTAssertNil((afterDestroy.responsePayload as? SignResponsePayload)?.signatureData, "no signature by a destroyed key")
    }

    /// MAC and MAC Verify streams re-check their key too: a usage mask narrowed mid-stream ends it.
    func testAMACStreamStopsWhenItsKeyIsRevoked() async throws {
        let h = try await EngineHarness.make()
        let object = ManagedObject.symmetricKey(SymmetricKey(KeyBlock(
            keyFormatType: .raw, keyMaterial: .byteString(ByteString(Array(repeating: 7, count: 32))),
            cryptographicAlgorithm: .hmacSHA256, cryptographicLength: 256)))
        let key = try await h.registerKey(object, usage: [.macGenerate, .macVerify])
        var open = MACRequestPayload(); open.uniqueIdentifier = key; open.data = ByteString([1]); open.initIndicator = true
        let opened = try await h.succeed(.mac, open, MACResponsePayload.self)
        let correlation = try XCTUnwrap(opened.correlationValue)
        try await revoke(h, key)
        var last = MACRequestPayload(); last.correlationValue = correlation; last.data = ByteString([2]); last.finalIndicator = true
        let refused = await h.one(.mac, last)
        XCTAssertEqual(refused.resultStatus, .operationFailed)
        XCTAssertNil((refused.responsePayload as? MACResponsePayload)?.macData)
    }

    /// A stream kept busy still ends at its lifetime: each part renews the idle timer, not the lifetime.
    func testAStreamEndsAtItsLifetimeHoweverBusy() async throws {
        let h = try await EngineHarness.make()
        let engine = KMIPEngine(objects: h.objects, mount: h.mount, logger: Logger(label: "test"),
                                clock: { h.clock.now }, streamLifetime: 0.4)
        var hash = HashRequestPayload()
        var p = CryptographicParameters(); p.hashingAlgorithm = .sha256
        hash.cryptographicParameters = p
        hash.data = ByteString([1]); hash.initIndicator = true
        func send(_ payload: HashRequestPayload) async -> ResponseBatchItem {
            let request = RequestMessage(header: RequestHeader(protocolVersion: .v1_4, batchCount: 1),
                                         batchItems: [RequestBatchItem(operation: .hash, payload: payload)])
            return await engine.respond(to: request, client: h.client).batchItems[0]
        }
        let opened = await send(hash)
        let correlation = try XCTUnwrap((opened.responsePayload as? HashResponsePayload)?.correlationValue)
        var next = HashRequestPayload(); next.correlationValue = correlation; next.data = ByteString([2])
        for _ in 0..<3 {
            try await Task.sleep(for: .milliseconds(100))
            let busy = await send(next)
            XCTAssertEqual(busy.resultStatus, .success, busy.resultMessage ?? "")
        }
        try await Task.sleep(for: .milliseconds(250))
        let expired = await send(next)
        XCTAssertEqual(expired.resultReason, .itemNotFound, "past its lifetime the stream is gone")
    }
}

extension HostileClientTests {
    /// Usage Limits count down as the server uses a key: a client may not reset or remove them.
    func testUsageLimitsAreServerMaintained() async throws {
        let h = try await EngineHarness.make()
        var limits = UsageLimits(); limits.usageLimitsTotal = 2; limits.usageLimitsUnit = .object
        let key = try await h.createKey(attributes: [Attribute(limits)])
        var raised = limits; raised.usageLimitsTotal = 1_000_000; raised.usageLimitsCount = 1_000_000
        var modify = ModifyAttributeRequestPayload(); modify.uniqueIdentifier = key; modify.attribute = Attribute(raised)
        await h.fail(.modifyAttribute, modify, .permissionDenied)
        var delete = DeleteAttributeRequestPayload(); delete.uniqueIdentifier = key; delete.attributeName = "Usage Limits"
        await h.fail(.deleteAttribute, delete, .permissionDenied)
        let record = try await h.record(key)
        let stored = try XCTUnwrap(record).attributes.first("Usage Limits")?.value(as: UsageLimits.self)
        XCTAssertEqual(stored?.usageLimitsTotal, 2)
    }
}

extension DestroyRequestPayload {
    init(uniqueIdentifier: String) { self.init(); self.uniqueIdentifier = uniqueIdentifier }
}
