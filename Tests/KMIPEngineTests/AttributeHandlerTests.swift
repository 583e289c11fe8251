import KMIP
import KMIPStore
import XCTest
@testable import KMIPEngine

/// Get Attributes, Get Attribute List, Add, Modify and Delete Attribute through `respond(to:client:)`.
final class AttributeHandlerTests: XCTestCase {
    private func names(_ attributes: [Attribute]) -> [String] { attributes.map(\.attributeName) }

    // MARK: Get Attributes

    func testGetAttributesReturnsTheNamedOnesInOrderWithEveryInstance() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.createKey(names: ["first", "second"], attributes: [Attribute(name: "x-app", value: .textString("billing"))])
        let r = try await h.succeed(.getAttributes, GetAttributesRequestPayload(uid, [
            "Cryptographic Algorithm", "Name", "No Such Attribute", "Contact Information", "x-app", "x-absent",
        ]), GetAttributesResponsePayload.self)
        XCTAssertEqual(r.uniqueIdentifier, uid)
        XCTAssertEqual(names(r.attributes), ["Cryptographic Algorithm", "Name", "Name", "x-app"])
        XCTAssertEqual(r.attributes[0].value(as: CryptographicAlgorithm.self), .aes)
        XCTAssertNil(r.attributes[0].attributeIndex, "single-valued attributes carry no index")
        XCTAssertEqual(r.attributes[1].value(as: Name.self)?.nameValue, "first")
        XCTAssertNil(r.attributes[1].attributeIndex)
        XCTAssertEqual(r.attributes[2].value(as: Name.self)?.nameValue, "second")
        XCTAssertEqual(r.attributes[2].attributeIndex, 1)
        XCTAssertEqual(r.attributes[3].value(as: String.self), "billing")

        // A name twice: Invalid Message from KMIP 1.1 on (TC_171); a 1.0 request's repeats are merged.
        let twice = GetAttributesRequestPayload(uid, ["Object Type", "Object Type"])
        await h.fail(.getAttributes, twice, .invalidMessage)
        let merged = try await h.succeed(.getAttributes, twice, GetAttributesResponsePayload.self, version: .v1_0)
        XCTAssertEqual(names(merged.attributes), ["Object Type"])
    }

    func testGetAttributesWithoutNamesReturnsEveryAttribute() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.createKey(names: ["k"], attributes: [Attribute(name: "x-app", value: .textString("billing"))])
        let r = try await h.succeed(.getAttributes, GetAttributesRequestPayload(uid), GetAttributesResponsePayload.self)
        let stored = try await h.record(uid)
        // Every stored attribute but Random Number Generator (returned only when named: PyKMIP).
        XCTAssertEqual(names(r.attributes), stored.map { names($0.attributes).filter { $0 != "Random Number Generator" } })
        for expected in ["Unique Identifier", "Object Type", "State", "Initial Date", "Last Change Date", "Cryptographic Usage Mask",
                         "Original Creation Date", "Fresh", "Digest", "x-app"] {
            XCTAssertTrue(names(r.attributes).contains(expected), expected)
        }
        XCTAssertEqual(r.attributes.first { $0.attributeName == "Unique Identifier" }?.value(as: String.self), uid)
        XCTAssertEqual(r.attributes.first { $0.attributeName == "State" }?.value(as: State.self), .preActive)
    }

    func testGetAttributesOmitsAttributesNewerThanTheRequestVersion() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.createKey(attributes: [Attribute(name: "Description", value: .textString("a 1.4 attribute"))])
        let v10 = try await h.succeed(.getAttributes, GetAttributesRequestPayload(uid), GetAttributesResponsePayload.self, version: .v1_0)
        XCTAssertFalse(names(v10.attributes).contains("Original Creation Date"), "1.2 attribute in a 1.0 response")
        XCTAssertFalse(names(v10.attributes).contains("Fresh"), "1.1 attribute in a 1.0 response")
        XCTAssertFalse(names(v10.attributes).contains("Description"))
        XCTAssertTrue(names(v10.attributes).contains("Initial Date"))
        let named = try await h.succeed(.getAttributes, GetAttributesRequestPayload(uid, ["Original Creation Date", "State"]),
                                        GetAttributesResponsePayload.self, version: .v1_1)
        XCTAssertEqual(names(named.attributes), ["State"])
        let v12 = try await h.succeed(.getAttributes, GetAttributesRequestPayload(uid), GetAttributesResponsePayload.self, version: .v1_2)
        XCTAssertTrue(names(v12.attributes).contains("Original Creation Date"))
        XCTAssertTrue(names(v12.attributes).contains("Fresh"))
        XCTAssertFalse(names(v12.attributes).contains("Description"))
        let v14 = try await h.succeed(.getAttributes, GetAttributesRequestPayload(uid), GetAttributesResponsePayload.self)
        XCTAssertTrue(names(v14.attributes).contains("Description"))
    }

    func testGetAttributesUsesTheIDPlaceholder() async throws {
        let h = try await EngineHarness.make()
        var create = CreateRequestPayload()
        create.objectType = .symmetricKey
        create.templateAttribute = TemplateAttribute([
            Attribute(CryptographicAlgorithm.aes), Attribute(name: "Cryptographic Length", value: .integer(128)),
        ])
        let response = await h.send([
            RequestBatchItem(operation: .create, uniqueBatchItemID: ByteString([1]), payload: create),
            RequestBatchItem(operation: .getAttributes, uniqueBatchItemID: ByteString([2]),
                             payload: GetAttributesRequestPayload(nil, ["Cryptographic Length"])),
        ])
        let created = try XCTUnwrap(response.batchItems[0].responsePayload as? CreateResponsePayload)
        let got = try XCTUnwrap(response.batchItems[1].responsePayload as? GetAttributesResponsePayload)
        XCTAssertEqual(got.uniqueIdentifier, created.uniqueIdentifier)
        XCTAssertEqual(got.attributes.first?.value(as: Int32.self), 128)
    }

    func testGetAttributesOfAnUnknownObjectIsItemNotFound() async throws {
        let h = try await EngineHarness.make()
        await h.fail(.getAttributes, GetAttributesRequestPayload(Identifiers.uniqueIdentifier()), .itemNotFound)
        await h.fail(.getAttributeList, GetAttributeListRequestPayload(Identifiers.uniqueIdentifier()), .itemNotFound)
        await h.fail(.getAttributes, GetAttributesRequestPayload(nil), .missingData)
    }

    // MARK: Get Attribute List

    func testGetAttributeListNamesEachPresentAttributeOncePerVersion() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.createKey(names: ["a", "b"], attributes: [Attribute(name: "x-app", value: .textString("v"))])
        let r = try await h.succeed(.getAttributeList, GetAttributeListRequestPayload(uid), GetAttributeListResponsePayload.self)
        XCTAssertEqual(r.uniqueIdentifier, uid)
        XCTAssertEqual(r.attributeNames.filter { $0 == "Name" }.count, 1)
        XCTAssertEqual(Set(r.attributeNames).count, r.attributeNames.count)
        for expected in ["Unique Identifier", "Name", "Object Type", "Cryptographic Algorithm", "State", "Original Creation Date", "x-app"] {
            XCTAssertTrue(r.attributeNames.contains(expected), expected)
        }
        XCTAssertFalse(r.attributeNames.contains("Contact Information"))
        let v10 = try await h.succeed(.getAttributeList, GetAttributeListRequestPayload(uid), GetAttributeListResponsePayload.self, version: .v1_0)
        XCTAssertFalse(v10.attributeNames.contains("Original Creation Date"))
        XCTAssertFalse(v10.attributeNames.contains("Fresh"))
        XCTAssertTrue(v10.attributeNames.contains("x-app"))
    }

    // MARK: Add Attribute

    func testAddAttributeAppendsAMultiValuedInstanceWithItsIndex() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.createKey(names: ["original"])
        h.clock.advance(60)
        let r = try await h.succeed(.addAttribute, AddAttributeRequestPayload(uid, Attribute(Name("alias"))), AddAttributeResponsePayload.self)
        XCTAssertEqual(r.uniqueIdentifier, uid)
        XCTAssertEqual(r.attribute.attributeName, "Name")
        XCTAssertEqual(r.attribute.attributeIndex, 1)
        XCTAssertEqual(r.attribute.value(as: Name.self)?.nameValue, "alias")
        let stored = try await h.record(uid)
        XCTAssertEqual(stored?.names, ["original", "alias"])
        XCTAssertEqual(stored?.attributes.date("Last Change Date"), h.clock.now)
        XCTAssertLessThan(try XCTUnwrap(stored?.initialDate), h.clock.now)
        // The new Name is what Locate finds.
        let located = try await h.succeed(.locate, LocateRequestPayload([Attribute(Name("alias"))]), LocateResponsePayload.self)
        XCTAssertEqual(located.uniqueIdentifiers, [uid])

        // A first instance carries no index; custom attributes are client-settable.
        let group = try await h.succeed(.addAttribute, AddAttributeRequestPayload(uid, Attribute(name: "Object Group", value: .textString("g"))),
                                        AddAttributeResponsePayload.self)
        XCTAssertNil(group.attribute.attributeIndex)
        let custom = try await h.succeed(.addAttribute, AddAttributeRequestPayload(uid, Attribute(name: "x-owner", value: .textString("ops"))),
                                         AddAttributeResponsePayload.self)
        XCTAssertEqual(custom.attribute.value(as: String.self), "ops")
        let single = try await h.succeed(.addAttribute, AddAttributeRequestPayload(uid, Attribute(name: "Contact Information", value: .textString("ops@example.com"))),
                                         AddAttributeResponsePayload.self)
        XCTAssertNil(single.attribute.attributeIndex)
        let got = try await h.succeed(.getAttributes, GetAttributesRequestPayload(uid, ["Contact Information", "x-owner"]), GetAttributesResponsePayload.self)
        XCTAssertEqual(got.attributes.map { $0.value(as: String.self) }, ["ops@example.com", "ops"])
    }

    func testAddAttributeRefusals() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.createKey(attributes: [Attribute(name: "Contact Information", value: .textString("a"))])
        // A single-valued attribute the object already has.
        await h.fail(.addAttribute, AddAttributeRequestPayload(uid, Attribute(name: "Contact Information", value: .textString("b"))), .illegalOperation)
        // Attributes only the server sets.
        await h.fail(.addAttribute, AddAttributeRequestPayload(uid, Attribute(State.active)), .permissionDenied)
        await h.fail(.addAttribute, AddAttributeRequestPayload(uid, Attribute(name: "Initial Date", value: .dateTime(h.clock.now))), .permissionDenied)
        await h.fail(.addAttribute, AddAttributeRequestPayload(uid, Attribute(name: "Unique Identifier", value: .textString("x"))), .permissionDenied)
        await h.fail(.addAttribute, AddAttributeRequestPayload(uid, Attribute(name: "Compromise Date", value: .dateTime(h.clock.now))), .permissionDenied)
        await h.fail(.addAttribute, AddAttributeRequestPayload(uid, Attribute(name: "y-server", value: .textString("x"))), .permissionDenied)
        // Unknown names, and names the request's version lacks.
        await h.fail(.addAttribute, AddAttributeRequestPayload(uid, Attribute(name: "Colour", value: .textString("blue"))), .invalidField)
        await h.fail(.addAttribute, AddAttributeRequestPayload(uid, Attribute(name: "Description", value: .textString("d"))), .invalidField, version: .v1_2)
        await h.fail(.addAttribute, AddAttributeRequestPayload(Identifiers.uniqueIdentifier(), Attribute(Name("n"))), .itemNotFound)
        // Nothing changed.
        let stored = try await h.record(uid)
        XCTAssertEqual(stored?.attributes.all("Contact Information").count, 1)
        XCTAssertEqual(stored?.state, .preActive)
    }

    func testAddingAPastActivationDateActivatesAPreActiveObject() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.createKey()
        let r = try await h.succeed(.addAttribute, AddAttributeRequestPayload(uid, Attribute(name: "Activation Date", value: .dateTime(h.clock.now))),
                                    AddAttributeResponsePayload.self)
        XCTAssertEqual(r.attribute.value(as: DateTime.self), h.clock.now)
        let stored = try await h.record(uid)
        XCTAssertEqual(stored?.state, .active)
        XCTAssertEqual(stored?.activationDate, h.clock.now)
    }

    // MARK: Modify Attribute

    func testModifyAttributeReplacesTheIndexedInstance() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.createKey(names: ["old", "other"])
        h.clock.advance(30)
        let r = try await h.succeed(.modifyAttribute, ModifyAttributeRequestPayload(uid, Attribute(Name("new"))), ModifyAttributeResponsePayload.self)
        XCTAssertEqual(r.attribute.value(as: Name.self)?.nameValue, "new")
        XCTAssertNil(r.attribute.attributeIndex)
        var stored = try await h.record(uid)
        XCTAssertEqual(stored?.names, ["new", "other"])
        XCTAssertEqual(stored?.attributes.date("Last Change Date"), h.clock.now)
        var byOld = try await h.succeed(.locate, LocateRequestPayload([Attribute(Name("old"))]), LocateResponsePayload.self)
        XCTAssertEqual(byOld.uniqueIdentifiers, [String]())
        let byNew = try await h.succeed(.locate, LocateRequestPayload([Attribute(Name("new"))]), LocateResponsePayload.self)
        XCTAssertEqual(byNew.uniqueIdentifiers, [uid])

        let second = try await h.succeed(.modifyAttribute, ModifyAttributeRequestPayload(uid, Attribute(Name("renamed"), index: 1)),
                                         ModifyAttributeResponsePayload.self)
        XCTAssertEqual(second.attribute.attributeIndex, 1)
        stored = try await h.record(uid)
        XCTAssertEqual(stored?.names, ["new", "renamed"])
        byOld = try await h.succeed(.locate, LocateRequestPayload([Attribute(Name("other"))]), LocateResponsePayload.self)
        XCTAssertEqual(byOld.uniqueIdentifiers, [String]())

        // Activation Date while Pre-Active.
        let later = DateTime(secondsSince1970: h.clock.now.secondsSince1970 + 3600)
        _ = try await h.succeed(.addAttribute, AddAttributeRequestPayload(uid, Attribute(name: "Activation Date", value: .dateTime(later))),
                                AddAttributeResponsePayload.self)
        _ = try await h.succeed(.modifyAttribute, ModifyAttributeRequestPayload(uid, Attribute(name: "Activation Date", value: .dateTime(h.clock.now))),
                                ModifyAttributeResponsePayload.self)
        stored = try await h.record(uid)
        XCTAssertEqual(stored?.activationDate, h.clock.now)
        XCTAssertEqual(stored?.state, .active)
        // …and not once Active.
        await h.fail(.modifyAttribute, ModifyAttributeRequestPayload(uid, Attribute(name: "Activation Date", value: .dateTime(later))), .permissionDenied)
    }

    func testModifyAttributeRefusals() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.createKey(names: ["only"])
        await h.fail(.modifyAttribute, ModifyAttributeRequestPayload(uid, Attribute(Name("x"), index: 1)), .itemNotFound)
        await h.fail(.modifyAttribute, ModifyAttributeRequestPayload(uid, Attribute(name: "Contact Information", value: .textString("c"))), .itemNotFound)
        await h.fail(.modifyAttribute, ModifyAttributeRequestPayload(uid, Attribute(ObjectType.secretData)), .permissionDenied)
        await h.fail(.modifyAttribute, ModifyAttributeRequestPayload(uid, Attribute(CryptographicUsageMask([.sign]))), .permissionDenied)
        await h.fail(.modifyAttribute, ModifyAttributeRequestPayload(uid, Attribute(State.active)), .permissionDenied)
        await h.fail(.modifyAttribute, ModifyAttributeRequestPayload(uid, Attribute(name: "Bogus", value: .textString("c"))), .invalidField)
        let stored = try await h.record(uid)
        XCTAssertEqual(stored?.names, ["only"])
        XCTAssertEqual(stored?.objectType, .symmetricKey)
    }

    // MARK: Delete Attribute

    func testDeleteAttributeRemovesTheIndexedInstance() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.createKey(names: ["a", "b", "c"], attributes: [Attribute(name: "x-tag", value: .textString("t"))])
        h.clock.advance(5)
        let r = try await h.succeed(.deleteAttribute, DeleteAttributeRequestPayload(uid, "Name", index: 1), DeleteAttributeResponsePayload.self)
        XCTAssertEqual(r.uniqueIdentifier, uid)
        XCTAssertEqual(r.attribute.value(as: Name.self)?.nameValue, "b")
        XCTAssertEqual(r.attribute.attributeIndex, 1)
        var stored = try await h.record(uid)
        XCTAssertEqual(stored?.names, ["a", "c"])
        XCTAssertEqual(stored?.attributes.date("Last Change Date"), h.clock.now)
        let byB = try await h.succeed(.locate, LocateRequestPayload([Attribute(Name("b"))]), LocateResponsePayload.self)
        XCTAssertEqual(byB.uniqueIdentifiers, [String]())

        let first = try await h.succeed(.deleteAttribute, DeleteAttributeRequestPayload(uid, "Name"), DeleteAttributeResponsePayload.self)
        XCTAssertEqual(first.attribute.value(as: Name.self)?.nameValue, "a")
        _ = try await h.succeed(.deleteAttribute, DeleteAttributeRequestPayload(uid, "x-tag"), DeleteAttributeResponsePayload.self)
        stored = try await h.record(uid)
        XCTAssertEqual(stored?.names, ["c"])
        XCTAssertNil(stored?.attributes.first("x-tag"))

        await h.fail(.deleteAttribute, DeleteAttributeRequestPayload(uid, "Name", index: 1), .itemNotFound)
        await h.fail(.deleteAttribute, DeleteAttributeRequestPayload(uid, "Contact Information"), .itemNotFound)
        await h.fail(.deleteAttribute, DeleteAttributeRequestPayload(uid, "State"), .permissionDenied)
        await h.fail(.deleteAttribute, DeleteAttributeRequestPayload(uid, "Cryptographic Algorithm"), .permissionDenied)
        await h.fail(.deleteAttribute, DeleteAttributeRequestPayload(uid, "Unknown Thing"), .invalidField)
        stored = try await h.record(uid)
        XCTAssertEqual(stored?.state, .preActive)
        XCTAssertNotNil(stored?.cryptographicAlgorithm)
    }

    // MARK: Scopes

    func testAttributesOfAnotherScopesObjectAreItemNotFound() async throws {
        let h = try await EngineHarness.make()
        let uid = try await h.createKey(names: ["shared-name"])
        let other = try await h.makeClient(scope: "other")
        await h.fail(.getAttributes, GetAttributesRequestPayload(uid), .itemNotFound, as: other)
        await h.fail(.getAttributeList, GetAttributeListRequestPayload(uid), .itemNotFound, as: other)
        await h.fail(.addAttribute, AddAttributeRequestPayload(uid, Attribute(Name("x"))), .itemNotFound, as: other)
        await h.fail(.modifyAttribute, ModifyAttributeRequestPayload(uid, Attribute(Name("x"))), .itemNotFound, as: other)
        await h.fail(.deleteAttribute, DeleteAttributeRequestPayload(uid, "Name"), .itemNotFound, as: other)
        let located = try await h.succeed(.locate, LocateRequestPayload([Attribute(Name("shared-name"))]), LocateResponsePayload.self, as: other)
        XCTAssertEqual(located.uniqueIdentifiers, [String]())
        let stored = try await h.record(uid)
        XCTAssertEqual(stored?.names, ["shared-name"])
    }
}
