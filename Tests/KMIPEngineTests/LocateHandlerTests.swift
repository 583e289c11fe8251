import KMIP
import KMIPStore
import XCTest
@testable import KMIPEngine

/// Locate through `respond(to:client:)`, each test run against the in-memory and the SQLite store.
final class LocateHandlerTests: XCTestCase {
    private func eachBackend(_ body: (EngineHarness) async throws -> Void) async throws {
        for backend in EngineHarness.Backend.allCases {
            let h = try await EngineHarness.make(backend)
            try await body(h)
        }
    }

    private func locate(_ h: EngineHarness, _ attributes: [Attribute], maximum: Int32? = nil, offset: Int32? = nil,
                        storage: StorageStatusMask? = nil, member: ObjectGroupMember? = nil, version: ProtocolVersion = .v1_4,
                        file: StaticString = #filePath, line: UInt = #line) async throws -> LocateResponsePayload {
        try await h.succeed(.locate, LocateRequestPayload(attributes, maximum: maximum, offset: offset, storage: storage, member: member),
                            LocateResponsePayload.self, version: version, file: file, line: line)
    }

    private func date(_ name: String, _ d: DateTime) -> Attribute { Attribute(name: name, value: .dateTime(d)) }

    func testLocateByNameIsNewestFirstAndSetsTheIDPlaceholder() async throws {
        try await eachBackend { h in
            let k1 = try await h.createKey(names: ["app-key"])
            let k2 = try await h.createKey(names: ["app-key"])
            let k3 = try await h.createKey(names: ["app-key"])
            try await h.createKey(names: ["other"])
            let r = try await locate(h, [Attribute(Name("app-key"))])
            XCTAssertEqual(r.uniqueIdentifiers, [k3, k2, k1], h.objects is SQLiteStore ? "sqlite" : "memory")
            XCTAssertEqual(r.locatedItems, 3)

            // Locate then Get Attributes without an identifier: the latest key of that name.
            let response = await h.send([
                RequestBatchItem(operation: .locate, uniqueBatchItemID: ByteString([1]),
                                 payload: LocateRequestPayload([Attribute(Name("app-key"))], maximum: 1)),
                RequestBatchItem(operation: .getAttributes, uniqueBatchItemID: ByteString([2]),
                                 payload: GetAttributesRequestPayload(nil, ["Name"])),
            ])
            let got = try XCTUnwrap(response.batchItems[1].responsePayload as? GetAttributesResponsePayload)
            XCTAssertEqual(got.uniqueIdentifier, k3)
        }
    }

    func testLocateByTypeAlgorithmLengthAndState() async throws {
        try await eachBackend { h in
            let aes128 = try await h.createKey(128)
            let aes256 = try await h.createKey(256, attributes: [date("Activation Date", h.clock.now)])
            let secret = try await h.registerSecret()
            var r = try await locate(h, [Attribute(ObjectType.symmetricKey)])
            XCTAssertEqual(r.uniqueIdentifiers, [aes256, aes128])
            r = try await locate(h, [Attribute(ObjectType.secretData)])
            XCTAssertEqual(r.uniqueIdentifiers, [secret])
            r = try await locate(h, [Attribute(CryptographicAlgorithm.aes), Attribute(name: "Cryptographic Length", value: .integer(128))])
            XCTAssertEqual(r.uniqueIdentifiers, [aes128])
            r = try await locate(h, [Attribute(State.active)])
            XCTAssertEqual(r.uniqueIdentifiers, [aes256])
            r = try await locate(h, [Attribute(State.preActive), Attribute(ObjectType.symmetricKey)])
            XCTAssertEqual(r.uniqueIdentifiers, [aes128])
            // Contradictory conditions match nothing.
            r = try await locate(h, [Attribute(ObjectType.symmetricKey), Attribute(ObjectType.secretData)])
            XCTAssertEqual(r.uniqueIdentifiers, [String]())
            XCTAssertEqual(r.locatedItems, 0)
            // No attributes: every on-line object.
            r = try await locate(h, [])
            XCTAssertEqual(r.uniqueIdentifiers, [secret, aes256, aes128])
        }
    }

    func testLocateByDateRangesAndExactDates() async throws {
        try await eachBackend { h in
            let t0 = h.clock.now.secondsSince1970
            let k1 = try await h.createKey()        // Initial Date t0+1
            let k2 = try await h.createKey()        // t0+2
            let k3 = try await h.createKey()        // t0+3
            func at(_ s: Int64) -> DateTime { DateTime(secondsSince1970: t0 + s) }
            var r = try await locate(h, [date("Initial Date", at(2)), date("Initial Date", at(3))])
            XCTAssertEqual(r.uniqueIdentifiers, [k3, k2])
            r = try await locate(h, [date("Initial Date", at(2))])
            XCTAssertEqual(r.uniqueIdentifiers, [k2], "one instance is an exact match")
            // Original Creation Date lives in the value index (as in TC-OFFSET-1-14).
            r = try await locate(h, [Attribute(ObjectType.symmetricKey), date("Original Creation Date", at(-20)),
                                     date("Original Creation Date", at(20))])
            XCTAssertEqual(r.uniqueIdentifiers, [k3, k2, k1])
            r = try await locate(h, [date("Original Creation Date", at(1)), date("Original Creation Date", at(1))])
            XCTAssertEqual(r.uniqueIdentifiers, [k1])
            // Activation and Deactivation Date.
            _ = try await h.succeed(.addAttribute, AddAttributeRequestPayload(k1, date("Activation Date", at(100))), AddAttributeResponsePayload.self)
            _ = try await h.succeed(.addAttribute, AddAttributeRequestPayload(k2, date("Activation Date", at(200))), AddAttributeResponsePayload.self)
            _ = try await h.succeed(.addAttribute, AddAttributeRequestPayload(k2, date("Deactivation Date", at(900))), AddAttributeResponsePayload.self)
            r = try await locate(h, [date("Activation Date", at(50)), date("Activation Date", at(150))])
            XCTAssertEqual(r.uniqueIdentifiers, [k1])
            r = try await locate(h, [date("Activation Date", at(100)), date("Activation Date", at(200))])
            XCTAssertEqual(r.uniqueIdentifiers, [k2, k1], "bounds are inclusive")
            r = try await locate(h, [date("Deactivation Date", at(0)), date("Deactivation Date", at(1000))])
            XCTAssertEqual(r.uniqueIdentifiers, [k2])
            // Three instances of one date are not a range.
            await h.fail(.locate, LocateRequestPayload([date("Initial Date", at(1)), date("Initial Date", at(2)), date("Initial Date", at(3))]),
                         .invalidField)
        }
    }

    func testLocateByUsageMaskLinkGroupAndCustomAttributes() async throws {
        try await eachBackend { h in
            let key = try await h.createKey(attributes: [Attribute(name: "Object Group", value: .textString("finance")),
                                                          Attribute(name: "x-app", value: .textString("billing"))])
            let secret = try await h.registerSecret(attributes: [Attribute(name: "Object Group", value: .textString("finance")),
                                                                 Attribute(name: "Object Group", value: .textString("audit"))])
            _ = try await h.succeed(.addAttribute, AddAttributeRequestPayload(secret, Attribute(Link(.parentLink, key))), AddAttributeResponsePayload.self)

            var r = try await locate(h, [Attribute(CryptographicUsageMask([.encrypt]))])
            XCTAssertEqual(r.uniqueIdentifiers, [key])
            r = try await locate(h, [Attribute(CryptographicUsageMask([.encrypt, .verify]))])
            XCTAssertEqual(r.uniqueIdentifiers, [], "the mask must hold every requested bit")
            r = try await locate(h, [Attribute(Link(.parentLink, key))])
            XCTAssertEqual(r.uniqueIdentifiers, [secret])
            r = try await locate(h, [Attribute(Link(.childLink, key))])
            XCTAssertEqual(r.uniqueIdentifiers, [String]())
            r = try await locate(h, [Attribute(name: "Object Group", value: .textString("finance"))])
            XCTAssertEqual(r.uniqueIdentifiers, [secret, key])
            r = try await locate(h, [Attribute(name: "Object Group", value: .textString("audit"))])
            XCTAssertEqual(r.uniqueIdentifiers, [secret], "any instance of a multi-valued attribute matches")
            r = try await locate(h, [Attribute(name: "x-app", value: .textString("billing"))])
            XCTAssertEqual(r.uniqueIdentifiers, [key])
            r = try await locate(h, [Attribute(name: "x-app", value: .textString("payroll"))])
            XCTAssertEqual(r.uniqueIdentifiers, [String]())
            await h.fail(.locate, LocateRequestPayload([Attribute(name: "Colour", value: .textString("red"))]), .invalidField)
        }
    }

    func testEveryNameMustMatch() async throws {
        try await eachBackend { h in
            let both = try await h.createKey(names: ["a", "b"])
            try await h.createKey(names: ["a"])
            var r = try await locate(h, [Attribute(Name("a")), Attribute(Name("b"))])
            XCTAssertEqual(r.uniqueIdentifiers, [both])
            XCTAssertEqual(r.locatedItems, 1)
            r = try await locate(h, [Attribute(name: "Unique Identifier", value: .textString(both)), Attribute(Name("a"))])
            XCTAssertEqual(r.uniqueIdentifiers, [both])
        }
    }

    func testMaximumOffsetAndLocatedItems() async throws {
        try await eachBackend { h in
            var made: [String] = []
            for _ in 0..<5 { made.append(try await h.createKey(names: ["paged"])) }
            let newest = Array(made.reversed())
            for attributes in [[Attribute(Name("paged"))], []] {
                var r = try await locate(h, attributes, maximum: 2)
                XCTAssertEqual(r.uniqueIdentifiers, Array(newest[0..<2]))
                XCTAssertEqual(r.locatedItems, 5)
                r = try await locate(h, attributes, maximum: 2, offset: 2)
                XCTAssertEqual(r.uniqueIdentifiers, Array(newest[2..<4]))
                XCTAssertEqual(r.locatedItems, 5)
                r = try await locate(h, attributes, offset: 4)
                XCTAssertEqual(r.uniqueIdentifiers, [newest[4]])
                XCTAssertEqual(r.locatedItems, 5)
                r = try await locate(h, attributes, offset: 9)
                XCTAssertEqual(r.uniqueIdentifiers, [String]())
                XCTAssertEqual(r.locatedItems, 5)
            }
            // Located Items does not exist below 1.3.
            let v12 = try await locate(h, [Attribute(Name("paged"))], maximum: 1, version: .v1_2)
            XCTAssertEqual(v12.uniqueIdentifiers, [newest[0]])
            XCTAssertNil(v12.locatedItems)
            await h.fail(.locate, LocateRequestPayload([], maximum: -1), .invalidField)
        }
    }

    func testStorageStatusMask() async throws {
        try await eachBackend { h in
            let online = try await h.createKey(names: ["s"])
            let archived = try await h.createKey(names: ["s"])
            let found = try await h.record(archived)
            var record = try XCTUnwrap(found)
            record.archived = true
            try await h.objects.update(record)
            var r = try await locate(h, [Attribute(Name("s"))])
            XCTAssertEqual(r.uniqueIdentifiers, [online], "on-line only by default")
            r = try await locate(h, [Attribute(Name("s"))], storage: .archivalStorage)
            XCTAssertEqual(r.uniqueIdentifiers, [archived])
            r = try await locate(h, [Attribute(Name("s"))], storage: [.onLineStorage, .archivalStorage])
            XCTAssertEqual(r.uniqueIdentifiers, [archived, online])
        }
    }

    func testGroupMemberFreshHandsOutEachFreshObjectOnce() async throws {
        try await eachBackend { h in
            let group = Attribute(name: "Object Group", value: .textString("pool"))
            let first = try await h.createKey(attributes: [group])
            let second = try await h.createKey(attributes: [group])
            // Fresh members are handed out oldest first, each once (TC_152).
            var r = try await locate(h, [group], maximum: 1, member: .groupMemberFresh)
            XCTAssertEqual(r.uniqueIdentifiers, [first])
            let served = try await h.record(first)
            XCTAssertEqual(served?.attributes.first("Fresh")?.value(as: Bool.self), false)
            r = try await locate(h, [group], maximum: 1, member: .groupMemberFresh)
            XCTAssertEqual(r.uniqueIdentifiers, [second])
            r = try await locate(h, [group], maximum: 1, member: .groupMemberFresh)
            XCTAssertEqual(r.uniqueIdentifiers, [String]())
            // Default: one object, the newest.
            r = try await locate(h, [group], member: .groupMemberDefault)
            XCTAssertEqual(r.uniqueIdentifiers, [second])
        }
    }

    /// A Get that relies on the ID Placeholder after a Locate that found nothing names no object:
    /// Item Not Found (TC_151/152); without any earlier item the identifier is Missing Data.
    func testAnItemAfterAnEmptyLocateIsItemNotFound() async throws {
        let h = try await EngineHarness.make()
        var get = GetRequestPayload()
        get.uniqueIdentifier = nil
        let response = await h.send([
            RequestBatchItem(operation: .locate, uniqueBatchItemID: ByteString([1]),
                             payload: LocateRequestPayload([Attribute(Name("nobody"))])),
            RequestBatchItem(operation: .get, uniqueBatchItemID: ByteString([2]), payload: get),
        ], version: .v1_2)
        XCTAssertEqual(response.batchItems.map(\.resultStatus), [.success, .operationFailed])
        XCTAssertEqual(response.batchItems[1].resultReason, .itemNotFound)
        await h.fail(.get, get, .missingData)
    }

    func testLocateNeverCrossesAScope() async throws {
        try await eachBackend { h in
            let mine = try await h.createKey(names: ["shared"])
            let other = try await h.makeClient(scope: "other")
            let theirs = try await h.createKey(names: ["shared"], as: other)
            var r = try await locate(h, [Attribute(Name("shared"))])
            XCTAssertEqual(r.uniqueIdentifiers, [mine])
            r = try await h.succeed(.locate, LocateRequestPayload([Attribute(Name("shared"))]), LocateResponsePayload.self, as: other)
            XCTAssertEqual(r.uniqueIdentifiers, [theirs])
            r = try await h.succeed(.locate, LocateRequestPayload([]), LocateResponsePayload.self, as: other)
            XCTAssertEqual(r.uniqueIdentifiers, [theirs])
            await h.fail(.getAttributes, GetAttributesRequestPayload(mine), .itemNotFound, as: other)
        }
    }
}
