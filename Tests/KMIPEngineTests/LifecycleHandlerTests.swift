import KMIP
import KMIPPKI
import KMIPStore
import KMIPTestSupport
import Logging
import XCTest
@testable import KMIPEngine

/// Create, Get, Activate, Revoke, Destroy, Re-key and Check through `KMIPEngine.respond`, plus
/// the message-level rules: batches, ID Placeholder, continuation, authorisation, versions.
final class LifecycleHandlerTests: XCTestCase {
    private var harness: EngineHarness!
    private var store: InMemoryStore!
    private var mountStore: (any MountStore)!
    private var engine: KMIPEngine!
    private var admin: ClientIdentity!

    override func setUp() async throws {
        harness = try await EngineHarness.make()
        store = harness.objects as? InMemoryStore
        mountStore = harness.mount
        engine = harness.engine
        admin = harness.client
    }

    // MARK: request helpers

    private func send(_ items: [RequestBatchItem], version: ProtocolVersion = .v1_4, as client: ClientIdentity? = nil,
                      configure: (inout RequestHeader) -> Void = { _ in }) async -> ResponseMessage {
        var header = RequestHeader(protocolVersion: version, batchCount: Int32(items.count))
        configure(&header)
        let request = RequestMessage(header: header, batchItems: items)
        // Through the wire encoding, as the transport would deliver it.
        let bytes = await engine.process(message: request.encoded(), client: client ?? admin)
        return try! ResponseMessage(ttlv: bytes)
    }

    private func one(_ operation: KMIP.Operation, _ payload: some KMIPStruct, version: ProtocolVersion = .v1_4,
                     as client: ClientIdentity? = nil) async -> ResponseBatchItem {
        let response = await send([RequestBatchItem(operation: operation, payload: payload)], version: version, as: client)
        XCTAssertEqual(response.responseHeader.protocolVersion, version)
        XCTAssertEqual(response.batchItems.count, 1)
        return response.batchItems[0]
    }

    private func createAES(_ length: Int32 = 256, name: String? = nil, extra: [Attribute] = []) -> CreateRequestPayload {
        var p = CreateRequestPayload()
        p.objectType = .symmetricKey
        p.templateAttribute = TemplateAttribute([
            Attribute(CryptographicAlgorithm.aes),
            Attribute(name: "Cryptographic Length", value: .integer(length)),
            Attribute(CryptographicUsageMask([.encrypt, .decrypt])),
        ] + (name.map { [Attribute(Name($0))] } ?? []) + extra)
        return p
    }

    private func createdID(_ item: ResponseBatchItem, file: StaticString = #filePath, line: UInt = #line) -> String {
        XCTAssertEqual(item.resultStatus, .success, item.resultMessage ?? "", file: file, line: line)
        return (item.responsePayload as? CreateResponsePayload)?.uniqueIdentifier ?? ""
    }

    private func uid(_ id: String) -> GetRequestPayload { var g = GetRequestPayload(); g.uniqueIdentifier = id; return g }

    private func stored(_ id: String, scope: ClientIdentity? = nil) async throws -> ManagedObjectRecord? {
        try await store.object(scopeID: (scope ?? admin).scopeID, uniqueIdentifier: id)
    }

    // MARK: Create and Get

    func testCreateAES256ThenGetReturnsTheStoredKeyInRawAndTransparentFormats() async throws {
        let id = createdID(await one(.create, createAES()))
        XCTAssertEqual(id.count, 32)
        XCTAssertTrue(Identifiers.isBase62(id, count: 32))

        let got = await one(.get, uid(id))
        XCTAssertEqual(got.resultStatus, .success, got.resultMessage ?? "")
        let payload = try XCTUnwrap(got.responsePayload as? GetResponsePayload)
        guard case .symmetricKey(let key)? = payload.object, case .byteString(let raw)? = key.keyBlock.plainKeyValue?.keyMaterial else {
            return XCTFail("expected a Raw symmetric key, got \(String(describing: payload.object))")
        }
        XCTAssertEqual(raw.bytes.count, 32)
        XCTAssertEqual(key.keyBlock.cryptographicAlgorithm, .aes)
        XCTAssertEqual(key.keyBlock.cryptographicLength, 256)

        var transparent = uid(id)
        transparent.keyFormatType = .transparentSymmetricKey
        let tItem = await one(.get, transparent)
        let t = try XCTUnwrap(tItem.responsePayload as? GetResponsePayload)
        guard case .symmetricKey(let tk)? = t.object, case .transparentSymmetricKey(let ts)? = tk.keyBlock.plainKeyValue?.keyMaterial else {
            return XCTFail("expected a Transparent Symmetric Key")
        }
        XCTAssertEqual(ts.key, raw)

        var pkcs8 = uid(id)
        pkcs8.keyFormatType = .pkcs8
        let refused = await one(.get, pkcs8)
        XCTAssertEqual(refused.resultReason, .keyFormatTypeNotSupported)
    }

    func testCreateSetsServerAttributesAndRefusesBadTemplates() async throws {
        let id = createdID(await one(.create, createAES(128, name: "k1")))
        let recordStored = try await stored(id)
        let record = try XCTUnwrap(recordStored)
        XCTAssertEqual(record.state, .preActive)
        XCTAssertEqual(record.names, ["k1"])
        XCTAssertEqual(record.cryptographicLength, 128)
        XCTAssertNotNil(record.attributes.first { $0.attributeName == "Digest" })
        XCTAssertNotNil(record.attributes.first { $0.attributeName == "Initial Date" })
        XCTAssertNotNil(record.attributes.first { $0.attributeName == "Last Change Date" })

        let badLength = await one(.create, createAES(100))
        XCTAssertEqual(badLength.resultReason, .invalidField)
        let serverOnly = await one(.create, createAES(extra: [Attribute(State.active)]))
        XCTAssertEqual(serverOnly.resultReason, .invalidField)
        var noAlgorithm = CreateRequestPayload()
        noAlgorithm.templateAttribute = TemplateAttribute([Attribute(name: "Cryptographic Length", value: .integer(128))])
        do { let r = await one(.create, noAlgorithm); XCTAssertEqual(r.resultReason, .missingData) }
        var keyPair = createAES()
        keyPair.objectType = .privateKey
        do { let r = await one(.create, keyPair); XCTAssertEqual(r.resultReason, .invalidField) }
    }

    func testCreateWithPastActivationDateIsActive() async throws {
        let past = DateTime(secondsSince1970: 1_000_000_000)
        let id = createdID(await one(.create, createAES(extra: [Attribute(name: "Activation Date", value: .dateTime(past))])))
        let record = try await stored(id)
        XCTAssertEqual(record?.state, .active)
    }

    func testCreateSecretData() async throws {
        var p = CreateRequestPayload()
        p.objectType = .secretData
        p.templateAttribute = TemplateAttribute([Attribute(name: "Cryptographic Length", value: .integer(80))])
        let id = createdID(await one(.create, p))
        let gotItem = await one(.get, uid(id))
        let got = try XCTUnwrap(gotItem.responsePayload as? GetResponsePayload)
        guard case .secretData(let sd)? = got.object, case .byteString(let b)? = sd.keyBlock.plainKeyValue?.keyMaterial else {
            return XCTFail("expected Secret Data")
        }
        XCTAssertEqual(b.bytes.count, 10)
    }

    func testRegisterSecretDataRoundTrips() async throws {
        let secret = ByteString((0..<96).map { UInt8($0) })
        var p = RegisterRequestPayload()
        p.objectType = .secretData
        p.templateAttribute = TemplateAttribute([Attribute(Name("mongo-local-key"))])
        p.object = .secretData(SecretData(.seed, KeyBlock(keyFormatType: .raw, keyMaterial: .byteString(secret))))
        let item = await one(.register, p, version: .v1_0)
        XCTAssertEqual(item.resultStatus, .success, item.resultMessage ?? "")
        let id = try XCTUnwrap((item.responsePayload as? RegisterResponsePayload)?.uniqueIdentifier)
        let gotItem = await one(.get, uid(id), version: .v1_0)
        let got = try XCTUnwrap(gotItem.responsePayload as? GetResponsePayload)
        XCTAssertEqual(got.object, p.object)

        var mismatched = p
        mismatched.objectType = .symmetricKey
        do { let r = await one(.register, mismatched); XCTAssertEqual(r.resultReason, .invalidField) }
    }

    // MARK: Lifecycle

    func testActivateRevokeDestroyFollowTheStateMachine() async throws {
        let id = createdID(await one(.create, createAES()))
        var destroy = DestroyRequestPayload(); destroy.uniqueIdentifier = id
        var activate = ActivateRequestPayload(); activate.uniqueIdentifier = id

        do { let r = await one(.activate, activate); XCTAssertEqual(r.resultStatus, .success) }
        let activeRecord = try await stored(id)
        XCTAssertEqual(activeRecord?.state, .active)
        XCTAssertNotNil(activeRecord?.activationDate)
        do { let r = await one(.activate, activate); XCTAssertEqual(r.resultReason, .permissionDenied, "Active cannot be activated again") }
        do { let r = await one(.destroy, destroy); XCTAssertEqual(r.resultReason, .permissionDenied, "an Active object cannot be destroyed") }

        var revoke = RevokeRequestPayload()
        revoke.uniqueIdentifier = id
        revoke.revocationReason = RevocationReason(.cessationOfOperation)
        do { let r = await one(.revoke, revoke); XCTAssertEqual(r.resultStatus, .success) }
        let revoked = try await stored(id)
        XCTAssertEqual(revoked?.state, .deactivated)
        XCTAssertNotNil(revoked?.deactivationDate)

        do { let r = await one(.destroy, destroy); XCTAssertEqual(r.resultStatus, .success) }
        let destroyed = try await stored(id)
        XCTAssertEqual(destroyed?.state, .destroyed)
        XCTAssertNil(destroyed?.keyMaterial, "the key material is erased")
        XCTAssertNotNil(destroyed?.destroyDate)
        do { let r = await one(.get, uid(id)); XCTAssertEqual(r.resultReason, .itemNotFound) }
        do { let r = await one(.destroy, destroy); XCTAssertEqual(r.resultReason, .itemNotFound) }
    }

    func testCompromiseThenDestroyIsDestroyedCompromised() async throws {
        let id = createdID(await one(.create, createAES()))
        var revoke = RevokeRequestPayload()
        revoke.uniqueIdentifier = id
        revoke.revocationReason = RevocationReason(.keyCompromise)
        revoke.compromiseOccurrenceDate = DateTime(secondsSince1970: 1_500_000_000)
        do { let r = await one(.revoke, revoke); XCTAssertEqual(r.resultStatus, .success) }
        let compromised = try await stored(id)
        XCTAssertEqual(compromised?.state, .compromised)
        XCTAssertEqual(compromised?.attributes.first { $0.attributeName == "Compromise Occurrence Date" }?.value(as: DateTime.self),
                       DateTime(secondsSince1970: 1_500_000_000))
        var destroy = DestroyRequestPayload(); destroy.uniqueIdentifier = id
        do { let r = await one(.destroy, destroy); XCTAssertEqual(r.resultStatus, .success) }
        let destroyed = try await stored(id)
        XCTAssertEqual(destroyed?.state, .destroyedCompromised)
    }

    func testReKeyMovesNamesAndLinksBothObjects() async throws {
        let old = createdID(await one(.create, createAES(name: "rotating")))
        var activate = ActivateRequestPayload(); activate.uniqueIdentifier = old
        _ = await one(.activate, activate)
        var rekey = ReKeyRequestPayload(); rekey.uniqueIdentifier = old
        let item = await one(.reKey, rekey)
        XCTAssertEqual(item.resultStatus, .success, item.resultMessage ?? "")
        let new = try XCTUnwrap((item.responsePayload as? ReKeyResponsePayload)?.uniqueIdentifier)
        XCTAssertNotEqual(new, old)

        let oldRecordStored = try await stored(old)
        let oldRecord = try XCTUnwrap(oldRecordStored)
        let newRecordStored = try await stored(new)
        let newRecord = try XCTUnwrap(newRecordStored)
        XCTAssertEqual(oldRecord.names, [])
        XCTAssertEqual(newRecord.names, ["rotating"])
        XCTAssertEqual(newRecord.state, .active, "the old key was active, so the replacement is active now")
        XCTAssertEqual(newRecord.cryptographicLength, 256)
        XCTAssertTrue(oldRecord.attributes.contains { $0.value(as: Link.self) == Link(.replacementObjectLink, new) })
        XCTAssertTrue(newRecord.attributes.contains { $0.value(as: Link.self) == Link(.replacedObjectLink, old) })
        XCTAssertNotEqual(try oldRecord.value(), try newRecord.value(), "fresh key material")
        let found = try await store.locate(scopeID: admin.scopeID, ObjectQuery(name: "rotating"))
        XCTAssertEqual(found, [new])
    }

    func testCheckHonoursTheUsageMask() async throws {
        let id = createdID(await one(.create, createAES()))
        var ok = CheckRequestPayload(); ok.uniqueIdentifier = id; ok.cryptographicUsageMask = [.encrypt]
        do { let r = await one(.check, ok); XCTAssertEqual(r.resultStatus, .success) }
        var bad = ok; bad.cryptographicUsageMask = [.sign]
        do { let r = await one(.check, bad); XCTAssertEqual(r.resultReason, .illegalOperation) }
    }

    func testArchivedObjectsAnswerObjectArchivedUntilRecovered() async throws {
        let id = createdID(await one(.create, createAES(name: "cold")))
        var archive = ArchiveRequestPayload(); archive.uniqueIdentifier = id
        do { let r = await one(.archive, archive); XCTAssertEqual(r.resultStatus, .success) }
        do { let r = await one(.get, uid(id)); XCTAssertEqual(r.resultReason, .objectArchived) }
        var attributes = GetAttributesRequestPayload(); attributes.uniqueIdentifier = id
        do { let r = await one(.getAttributes, attributes); XCTAssertEqual(r.resultStatus, .success, "attributes stay readable") }
        var locate = LocateRequestPayload(); locate.attributes = [Attribute(Name("cold"))]
        let located = await one(.locate, locate)
        let online = (located.responsePayload as? LocateResponsePayload)?.uniqueIdentifiers
        XCTAssertEqual(online, [], "archived objects leave on-line Locates")
        var recover = RecoverRequestPayload(); recover.uniqueIdentifier = id
        do { let r = await one(.recover, recover); XCTAssertEqual(r.resultStatus, .success) }
        do { let r = await one(.get, uid(id)); XCTAssertEqual(r.resultStatus, .success) }
        do { let r = await one(.recover, recover); XCTAssertEqual(r.resultReason, .illegalOperation) }
    }

    func testObtainLeaseNeedsAnActiveObject() async throws {
        let id = createdID(await one(.create, createAES()))
        var lease = ObtainLeaseRequestPayload(); lease.uniqueIdentifier = id
        do { let r = await one(.obtainLease, lease); XCTAssertEqual(r.resultReason, .permissionDenied) }
        var activate = ActivateRequestPayload(); activate.uniqueIdentifier = id
        _ = await one(.activate, activate)
        let r = await one(.obtainLease, lease)
        XCTAssertEqual(r.resultStatus, .success, r.resultMessage ?? "")
        XCTAssertEqual((r.responsePayload as? ObtainLeaseResponsePayload)?.leaseTime, ServerPolicy.leaseTime)
    }

    func testGetUsageAllocationSpendsTheUsageLimits() async throws {
        var limits = UsageLimits()
        limits.usageLimitsTotal = 10
        limits.usageLimitsUnit = .object
        let id = createdID(await one(.create, createAES(extra: [Attribute(limits)])))
        var allocate = GetUsageAllocationRequestPayload(); allocate.uniqueIdentifier = id; allocate.usageLimitsCount = 7
        do { let r = await one(.getUsageAllocation, allocate); XCTAssertEqual(r.resultStatus, .success, r.resultMessage ?? "") }
        do { let r = await one(.getUsageAllocation, allocate); XCTAssertEqual(r.resultReason, .permissionDenied, "only 3 left") }
        let record = try await stored(id)
        XCTAssertEqual(record?.attributes.first { $0.attributeName == "Usage Limits" }?.value(as: UsageLimits.self)?.usageLimitsCount, 3)
    }

    /// Usage Limits added later start their Count at the Total too, and the response says so (TC_51).
    func testAddedUsageLimitsStartTheirCount() async throws {
        let id = createdID(await one(.create, createAES()))
        var limits = UsageLimits()
        limits.usageLimitsTotal = 5
        limits.usageLimitsUnit = .object
        var add = AddAttributeRequestPayload(); add.uniqueIdentifier = id; add.attribute = Attribute(limits)
        let r = await one(.addAttribute, add)
        XCTAssertEqual((r.responsePayload as? AddAttributeResponsePayload)?.attribute.value(as: UsageLimits.self)?.usageLimitsCount, 5)
        var allocate = GetUsageAllocationRequestPayload(); allocate.uniqueIdentifier = id; allocate.usageLimitsCount = 5
        let spent = await one(.getUsageAllocation, allocate)
        XCTAssertEqual(spent.resultStatus, .success, spent.resultMessage ?? "")
    }

    func testPassedActivationDateMakesTheObjectActiveOnRead() async throws {
        let soon = DateTime(secondsSince1970: harness.clock.now.secondsSince1970 + 1)
        let id = createdID(await one(.create, createAES(extra: [Attribute(name: "Activation Date", value: .dateTime(soon))])))
        let before = try await stored(id)
        XCTAssertEqual(before?.state, .preActive)
        harness.clock.advance(2)
        var get = GetAttributesRequestPayload(); get.uniqueIdentifier = id; get.attributeNames = ["State"]
        let r = await one(.getAttributes, get)
        XCTAssertEqual((r.responsePayload as? GetAttributesResponsePayload)?.attributes.first?.value(as: State.self), .active)
    }

    func testGeneratedKeysRecordTheServerPolicyAttributes() async throws {
        let id = createdID(await one(.create, createAES()))
        var all = GetAttributesRequestPayload(); all.uniqueIdentifier = id
        let everything = await one(.getAttributes, all)
        let names = Set(((everything.responsePayload as? GetAttributesResponsePayload)?.attributes ?? []).map(\.attributeName))
        XCTAssertTrue(names.isSuperset(of: ["Lease Time", "Sensitive", "Always Sensitive", "Extractable", "Never Extractable", "Fresh"]), "\(names)")
        XCTAssertFalse(names.contains("Random Number Generator"), "left out of all-attributes answers (PyKMIP cannot decode it)")
        var named = all; named.attributeNames = ["Random Number Generator"]
        let rng = await one(.getAttributes, named)
        let value = (rng.responsePayload as? GetAttributesResponsePayload)?.attributes.first?.value(as: RNGParameters.self)
        XCTAssertEqual(value?.rngAlgorithm, .drbg)
        let old = await one(.getAttributes, all, version: .v1_2)
        let oldNames = Set(((old.responsePayload as? GetAttributesResponsePayload)?.attributes ?? []).map(\.attributeName))
        XCTAssertFalse(oldNames.contains("Sensitive"), "1.4 attributes stay out of 1.2 answers")
        XCTAssertTrue(oldNames.contains("Lease Time"))
        // The first Get serves the key: it is no longer Fresh.
        _ = await one(.get, uid(id))
        let record = try await stored(id)
        XCTAssertEqual(record?.attributes.first { $0.attributeName == "Fresh" }?.value(as: Bool.self), false)
    }

    func testConcurrentChangesToOneObjectAreNeverLost() async throws {
        let sqlite = try await EngineHarness.make(.sqlite)
        var create = CreateRequestPayload()
        create.templateAttribute = TemplateAttribute([Attribute(CryptographicAlgorithm.aes),
                                                      Attribute(name: "Cryptographic Length", value: .integer(256))])
        let id = try await sqlite.succeed(.create, create, CreateResponsePayload.self).uniqueIdentifier
        var revocation = RevokeRequestPayload(); revocation.uniqueIdentifier = id; revocation.revocationReason = RevocationReason(.keyCompromise)
        let revoke = revocation
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<24 {
                group.addTask {
                    var add = AddAttributeRequestPayload()
                    add.uniqueIdentifier = id
                    add.attribute = Attribute(name: "x-tag-\(n)", value: .textString("\(n)"))
                    _ = await sqlite.one(.addAttribute, add)
                }
            }
            group.addTask { _ = await sqlite.one(.revoke, revoke) }
        }
        let stored = try await sqlite.objects.object(scopeID: sqlite.client.scopeID, uniqueIdentifier: id)
        let record = try XCTUnwrap(stored)
        XCTAssertEqual(record.state, .compromised, "the Revoke survived every concurrent Add Attribute")
        XCTAssertEqual(record.attributes.filter { $0.attributeName.hasPrefix("x-tag-") }.count, 24, "no Add Attribute was lost")
    }

    func testSensitiveKeysAreNotReturnedAndProtectionIsOneWay() async throws {
        let id = createdID(await one(.create, createAES(extra: [Attribute(name: "Sensitive", value: .boolean(true))])))
        do { let r = await one(.get, uid(id)); XCTAssertEqual(r.resultReason, .sensitive) }
        var off = ModifyAttributeRequestPayload(); off.uniqueIdentifier = id
        off.attribute = Attribute(name: "Sensitive", value: .boolean(false))
        do { let r = await one(.modifyAttribute, off); XCTAssertEqual(r.resultReason, .permissionDenied) }
        var delete = DeleteAttributeRequestPayload(); delete.uniqueIdentifier = id; delete.attributeName = "Sensitive"
        do { let r = await one(.deleteAttribute, delete); XCTAssertEqual(r.resultReason, .permissionDenied) }

        let other = createdID(await one(.create, createAES(extra: [Attribute(name: "Extractable", value: .boolean(false))])))
        do { let r = await one(.get, uid(other)); XCTAssertEqual(r.resultReason, .notExtractable) }
        var on = ModifyAttributeRequestPayload(); on.uniqueIdentifier = other
        on.attribute = Attribute(name: "Extractable", value: .boolean(true))
        do { let r = await one(.modifyAttribute, on); XCTAssertEqual(r.resultReason, .permissionDenied) }
    }

    func testFailedItemDoesNotMoveTheIDPlaceholder() async throws {
        let first = createdID(await one(.create, createAES()))
        var activate = ActivateRequestPayload(); activate.uniqueIdentifier = first
        _ = await one(.activate, activate)
        // Item 1 creates B (placeholder = B); item 2 fails on A (already active); item 3 must act on B.
        let response = await send([
            RequestBatchItem(operation: .create, uniqueBatchItemID: [1], payload: createAES()),
            RequestBatchItem(operation: .activate, uniqueBatchItemID: [2], payload: activate),
            RequestBatchItem(operation: .getAttributes, uniqueBatchItemID: [3], payload: GetAttributesRequestPayload()),
        ]) { $0.batchErrorContinuationOption = .continue }
        XCTAssertEqual(response.batchItems.map(\.resultStatus), [.success, .operationFailed, .success])
        let created = createdID(response.batchItems[0])
        XCTAssertEqual((response.batchItems[2].responsePayload as? GetAttributesResponsePayload)?.uniqueIdentifier, created)
    }

    func testRegisterRefusesTemplatesThatContradictTheKeyAndServerAttributes() async throws {
        var p = RegisterRequestPayload()
        p.objectType = .symmetricKey
        p.object = .symmetricKey(SymmetricKey(KeyBlock(keyFormatType: .raw, keyMaterial: .byteString(ByteString(Array(repeating: 1, count: 16))),
                                                       cryptographicAlgorithm: .aes, cryptographicLength: 128)))
        p.templateAttribute = TemplateAttribute([Attribute(name: "Cryptographic Length", value: .integer(256))])
        do { let r = await one(.register, p); XCTAssertEqual(r.resultReason, .invalidField) }
        p.templateAttribute = TemplateAttribute([Attribute(name: "y-server", value: .textString("x"))])
        do { let r = await one(.register, p); XCTAssertEqual(r.resultReason, .permissionDenied) }
        p.templateAttribute = TemplateAttribute([Attribute(name: "x-client", value: .textString("x"))])
        do { let r = await one(.register, p); XCTAssertEqual(r.resultStatus, .success, r.resultMessage ?? "") }
    }

    func testExpiredCredentialIsDenied() async throws {
        let found = try await mountStore.scope(named: "default")
        let scope = try XCTUnwrap(found)
        let role = RoleRecord(scopeID: scope.id, name: "old", allowsAllOperations: true)
        try await mountStore.putRole(role)
        try await mountStore.addCredential(CredentialRecord(serialNumber: "777", scopeID: scope.id, roleName: "old",
                                                       certificateDER: [], expiresAt: DateTime(secondsSince1970: 1_000)))
        let expired = ClientIdentity(scopeID: scope.id, roleID: role.id, serialNumber: "777")
        do { let r = await one(.discoverVersions, DiscoverVersionsRequestPayload(), as: expired); XCTAssertEqual(r.resultReason, .permissionDenied) }
    }

    func testReKeyDatesFollowTheSpec() {
        let old: [Attribute] = [
            Attribute(name: "Activation Date", value: .dateTime(DateTime(secondsSince1970: 1_000))),
            Attribute(name: "Protect Stop Date", value: .dateTime(DateTime(secondsSince1970: 5_000))),
            Attribute(name: "Deactivation Date", value: .dateTime(DateTime(secondsSince1970: 9_000))),
        ]
        let now = DateTime(secondsSince1970: 20_000)
        let copied = KMIPEngine.replacementDates(old, offset: nil, now: now)
        XCTAssertEqual(copied.map(\.0), ["Activation Date", "Protect Stop Date", "Deactivation Date"])
        XCTAssertEqual(copied.map(\.1.secondsSince1970), [1_000, 5_000, 9_000])
        let shifted = KMIPEngine.replacementDates(old, offset: Interval(seconds: 100), now: now)
        XCTAssertEqual(shifted.map(\.1.secondsSince1970), [20_100, 24_100, 28_100], "the distances to the Activation Date stay")
        let fresh = KMIPEngine.replacementDates([], offset: Interval(seconds: 0), now: now)
        XCTAssertEqual(fresh.map(\.1.secondsSince1970), [20_000])
    }

    // MARK: Batches

    func testIDPlaceholderCarriesTheCreatedIdentifierThroughTheBatch() async throws {
        let response = await send([
            RequestBatchItem(operation: .create, uniqueBatchItemID: [1], payload: createAES()),
            RequestBatchItem(operation: .activate, uniqueBatchItemID: [2], payload: ActivateRequestPayload()),
            RequestBatchItem(operation: .get, uniqueBatchItemID: [3], payload: GetRequestPayload()),
        ])
        XCTAssertEqual(response.batchItems.map(\.resultStatus), [.success, .success, .success])
        XCTAssertEqual(response.batchItems.map(\.uniqueBatchItemID), [[1], [2], [3]])
        XCTAssertEqual(response.responseHeader.batchCount, 3)
        let id = createdID(response.batchItems[0])
        XCTAssertEqual((response.batchItems[2].responsePayload as? GetResponsePayload)?.uniqueIdentifier, id)
        let record = try await stored(id)
        XCTAssertEqual(record?.state, .active)
    }

    func testStopEndsTheBatchAtTheFirstFailureContinueRunsEveryItemUndoRemovesCreations() async throws {
        let items = [
            RequestBatchItem(operation: .get, uniqueBatchItemID: [1], payload: uid("missing")),
            RequestBatchItem(operation: .create, uniqueBatchItemID: [2], payload: createAES()),
        ]
        let stopped = await send(items)
        XCTAssertEqual(stopped.batchItems.count, 1)
        XCTAssertEqual(stopped.batchItems[0].resultReason, .itemNotFound)

        let continued = await send(items) { $0.batchErrorContinuationOption = .continue }
        XCTAssertEqual(continued.batchItems.map(\.resultStatus), [.operationFailed, .success])

        // Undo: a Create then a failing Get — the created key is removed and its item marked undone.
        let undone = await send([
            RequestBatchItem(operation: .create, uniqueBatchItemID: [1], payload: createAES()),
            RequestBatchItem(operation: .get, uniqueBatchItemID: [2], payload: uid("missing")),
        ]) { $0.batchErrorContinuationOption = .undo }
        XCTAssertEqual(undone.batchItems.map(\.resultStatus), [.operationUndone, .operationFailed])
        let all = try await store.locate(scopeID: admin.scopeID, ObjectQuery())
        XCTAssertEqual(all.count, 1, "the undone Create left nothing behind (the one key is the Continue batch's)")
        // Undo restores an attribute change made before the failure.
        let key = all[0]
        var add = AddAttributeRequestPayload(); add.uniqueIdentifier = key
        add.attribute = Attribute(name: "x-undo", value: .textString("gone"))
        let restored = await send([
            RequestBatchItem(operation: .addAttribute, uniqueBatchItemID: [1], payload: add),
            RequestBatchItem(operation: .get, uniqueBatchItemID: [2], payload: uid("missing")),
        ]) { $0.batchErrorContinuationOption = .undo }
        XCTAssertEqual(restored.batchItems.map(\.resultStatus), [.operationUndone, .operationFailed])
        let record = try await stored(key)
        XCTAssertNil(record?.attributes.first { $0.attributeName == "x-undo" }, "the Add Attribute was undone")
        // A batch holding an operation Undo cannot reverse is refused before anything runs.
        var seed = RNGSeedRequestPayload(); seed.data = ByteString([1, 2, 3, 4])
        let refused = await send([
            RequestBatchItem(operation: .create, uniqueBatchItemID: [1], payload: createAES()),
            RequestBatchItem(operation: .rngSeed, uniqueBatchItemID: [2], payload: seed),
        ]) { $0.batchErrorContinuationOption = .undo }
        XCTAssertEqual(refused.batchItems.map(\.resultReason), [.operationNotSupported, .operationNotSupported])
        let after = try await store.locate(scopeID: admin.scopeID, ObjectQuery())
        XCTAssertEqual(after.count, 1)
    }

    func testMultiItemBatchWithoutBatchItemIDsIsInvalid() async {
        let response = await send([
            RequestBatchItem(operation: .create, payload: createAES()),
            RequestBatchItem(operation: .get, payload: GetRequestPayload()),
        ])
        XCTAssertEqual(response.batchItems.first?.resultReason, .invalidMessage)
    }

    func testMaximumResponseSizeTurnsLargeAnswersIntoResponseTooLarge() async {
        let id = createdID(await one(.create, createAES()))
        let small = await send([RequestBatchItem(operation: .get, payload: uid(id))]) { $0.maximumResponseSize = 64 }
        XCTAssertEqual(small.batchItems.first?.resultReason, .responseTooLarge)
        let large = await send([RequestBatchItem(operation: .get, payload: uid(id))]) { $0.maximumResponseSize = 4096 }
        XCTAssertEqual(large.batchItems.first?.resultStatus, .success)
    }

    /// A frame refused from its header is answered by the engine, in KMIP 1.0, with its clock.
    func testAFrameRefusedFromItsHeaderIsAnsweredInVersionOneWithTheEnginesClock() throws {
        let refusal = engine.refusal(TTLVError(.messageTooLarge, offset: 0, tag: nil, "1 MiB announced"))
        let response = try ResponseMessage(ttlv: Array(refusal.readableBytesView))
        XCTAssertEqual(response.responseHeader.protocolVersion, .v1_0)
        XCTAssertEqual(response.responseHeader.timeStamp, harness.clock.now)
        XCTAssertEqual(response.batchItems.map(\.resultReason), [.invalidMessage])
        XCTAssertTrue(response.batchItems.first?.resultMessage?.contains("1 MiB announced") ?? false)
    }

    func testResponsesSpeakTheRequestVersionAndEchoTheCorrelationValue() async {
        for version in ProtocolVersion.supported {
            let item = await one(.discoverVersions, DiscoverVersionsRequestPayload(), version: version)
            XCTAssertEqual((item.responsePayload as? DiscoverVersionsResponsePayload)?.protocolVersions, ProtocolVersion.supported)
        }
        var filter = DiscoverVersionsRequestPayload()
        filter.protocolVersions = [ProtocolVersion(1, 2), ProtocolVersion(1, 9)]
        let filtered = await one(.discoverVersions, filter)
        XCTAssertEqual((filtered.responsePayload as? DiscoverVersionsResponsePayload)?.protocolVersions, [.v1_2])

        let echoed = await send([RequestBatchItem(operation: .discoverVersions, payload: DiscoverVersionsRequestPayload())]) {
            $0.clientCorrelationValue = "trace-42"
        }
        XCTAssertEqual(echoed.responseHeader.clientCorrelationValue, "trace-42")
    }

    func testUnparsableMessageGetsAnErrorResponseInItsVersion() async throws {
        var request = RequestMessage(header: RequestHeader(protocolVersion: .v1_2, batchCount: 1),
                                     batchItems: [RequestBatchItem(operation: .get, payload: uid("x"))]).encoded()
        request[request.count - 1] ^= 0xFF // corrupt the padding of the last item
        let bytes = await engine.process(message: request, client: admin)
        let response = try ResponseMessage(ttlv: bytes)
        XCTAssertEqual(response.responseHeader.protocolVersion, .v1_2)
        XCTAssertEqual(response.batchItems.first?.resultStatus, .operationFailed)
        XCTAssertEqual(response.batchItems.first?.resultReason, .invalidMessage)
    }

    func testUnimplementedOperationAnswersOperationNotSupported() async {
        // Notify is the server's to send; a client's is not answered.
        let item = await one(.notify, NotifyRequestPayload())
        XCTAssertEqual(item.resultReason, .operationNotSupported)
    }

    func testOperationsNewerThanTheRequestVersionAreNotSupported() async {
        var rng = RNGRetrieveRequestPayload(); rng.dataLength = 16
        let old = await one(.rngRetrieve, rng, version: .v1_1)
        XCTAssertEqual(old.resultReason, .operationNotSupported, "RNG Retrieve exists from 1.2 on")
        let current = await one(.rngRetrieve, rng, version: .v1_2)
        XCTAssertEqual(current.resultStatus, .success, current.resultMessage ?? "")
    }

    // MARK: Authorisation

    func testRoleLimitedToGetAndLocateIsDeniedEverythingElse() async throws {
        let id = createdID(await one(.create, createAES()))
        let reader = try await harness.makeClient(scope: "default", role: "reader", all: false, operations: [.get, .locate])
        do { let r = await one(.get, uid(id), as: reader); XCTAssertEqual(r.resultStatus, .success) }
        let denied: [(KMIP.Operation, any KMIPStruct)] = [
            (.create, createAES()), (.activate, ActivateRequestPayload()), (.destroy, DestroyRequestPayload()),
            (.revoke, RevokeRequestPayload()), (.reKey, ReKeyRequestPayload()), (.register, RegisterRequestPayload()),
            (.discoverVersions, DiscoverVersionsRequestPayload()), (.check, CheckRequestPayload()),
        ]
        for (operation, payload) in denied {
            let item = await one(operation, payload, as: reader)
            XCTAssertEqual(item.resultReason, .permissionDenied, "\(operation)")
        }
    }

    func testObjectsOfOneScopeAreInvisibleFromAnother() async throws {
        let id = createdID(await one(.create, createAES()))
        let other = try await harness.makeClient(scope: "other", role: "admin", all: true)
        do { let r = await one(.get, uid(id), as: other); XCTAssertEqual(r.resultReason, .itemNotFound) }
        var destroy = DestroyRequestPayload(); destroy.uniqueIdentifier = id
        do { let r = await one(.destroy, destroy, as: other); XCTAssertEqual(r.resultReason, .itemNotFound) }
        let record = try await stored(id)
        XCTAssertNotNil(record, "untouched in its own scope")
    }

    func testRevokedCredentialOrDeletedRoleIsDenied() async throws {
        let reader = try await harness.makeClient(scope: "default", role: "temp", all: true)
        do { let r = await one(.discoverVersions, DiscoverVersionsRequestPayload(), as: reader); XCTAssertEqual(r.resultStatus, .success) }
        try await mountStore.deleteCredential(serialNumber: reader.serialNumber)
        engine.authorizer.invalidate()
        do { let r = await one(.discoverVersions, DiscoverVersionsRequestPayload(), as: reader); XCTAssertEqual(r.resultReason, .permissionDenied) }

        let second = try await harness.makeClient(scope: "default", role: "temp2", all: true)
        let scopeID = second.scopeID
        try await mountStore.deleteRole(scopeID: scopeID, name: "temp2")
        engine.authorizer.invalidate()
        do { let r = await one(.discoverVersions, DiscoverVersionsRequestPayload(), as: second); XCTAssertEqual(r.resultReason, .permissionDenied) }

        let forged = ClientIdentity(scopeID: admin.scopeID, roleID: admin.roleID, serialNumber: "12345")
        do { let r = await one(.discoverVersions, DiscoverVersionsRequestPayload(), as: forged); XCTAssertEqual(r.resultReason, .permissionDenied) }
    }
    /// KMIP 1.x §6.16: a critical Message Extension the server does not understand fails its item
    /// with Feature Not Supported (TC_72); a non-critical one is ignored.
    func testCriticalMessageExtensionsFailTheirItem() async throws {
        let h = try await EngineHarness.make()
        func create(critical: Bool) -> RequestBatchItem {
            var p = CreateRequestPayload()
            p.objectType = .symmetricKey
            p.templateAttribute = TemplateAttribute([Attribute(CryptographicAlgorithm.aes),
                                                     Attribute(name: "Cryptographic Length", value: .integer(128))])
            var item = RequestBatchItem(operation: .create, payload: p)
            var ext = MessageExtension()
            ext.vendorIdentification = "Acme"
            ext.criticalityIndicator = critical
            item.messageExtension = ext
            return item
        }
        var r = await h.send([create(critical: true)], version: .v1_2)
        XCTAssertEqual(r.batchItems.first?.resultReason, .featureNotSupported)
        r = await h.send([create(critical: false)], version: .v1_2)
        XCTAssertEqual(r.batchItems.first?.resultStatus, .success)
    }

    /// Fresh (1.1 §3.34) may be set by the client when it registers or creates an object (TC_152).
    func testAClientMaySetFreshAtCreation() async throws {
        let h = try await EngineHarness.make()
        let stale = try await h.createKey(attributes: [Attribute(name: "Fresh", value: .boolean(false))])
        let fresh = try await h.createKey()
        let staleRecord = try await h.record(stale)
        let freshRecord = try await h.record(fresh)
        XCTAssertEqual(staleRecord?.attributes.first("Fresh")?.value(as: Bool.self), false)
        XCTAssertEqual(freshRecord?.attributes.first("Fresh")?.value(as: Bool.self), true)
    }
}
