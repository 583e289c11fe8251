import KMIP
import KMIPPKI
import XCTest
@testable import KMIPEngine

/// Template objects (KMIP 1.x §2.2.6) applied by Name in a Template-Attribute (§2.1.8), as the SASED
/// profile and TC_312 use them.
final class TemplateTests: XCTestCase {
    private func text(_ name: String, _ value: String) -> Attribute { Attribute(name: name, value: .textString(value)) }

    /// Registers a Template holding `contents`, named `name` in the Register's Template-Attribute
    /// (SASED) or, with `nameInside`, among its own attributes (TC_312).
    @discardableResult
    private func registerTemplate(_ h: EngineHarness, _ name: String, _ contents: [Attribute], nameInside: Bool = false,
                                  as client: ClientIdentity? = nil) async throws -> String {
        var p = RegisterRequestPayload()
        p.objectType = .template
        var template = Template()
        template.attributes = contents + (nameInside ? [Attribute(Name(name))] : [])
        p.object = .template(template)
        p.templateAttribute = TemplateAttribute(nameInside ? [] : [Attribute(Name(name))])
        return try await h.succeed(.register, p, RegisterResponsePayload.self, version: .v1_3, as: client).uniqueIdentifier
    }

    private func registerSecret(_ h: EngineHarness, _ template: TemplateAttribute) -> RegisterRequestPayload {
        var p = RegisterRequestPayload()
        p.objectType = .secretData
        p.object = .secretData(SecretData(.password, KeyBlock(keyFormatType: .opaque, keyMaterial: .byteString(ByteString(Array(repeating: 42, count: 32))))))
        p.templateAttribute = template
        return p
    }

    private func attributes(_ h: EngineHarness, _ uid: String, _ names: [String]) async throws -> [String: [AttributeValue]] {
        let r = try await h.succeed(.getAttributes, GetAttributesRequestPayload(uid, names), GetAttributesResponsePayload.self, version: .v1_3)
        return Dictionary(grouping: r.attributes, by: \.attributeName).mapValues { $0.map(\.attributeValue) }
    }

    func testARegisteredObjectTakesItsTemplatesAttributesAndItsOwnWin() async throws {
        let h = try await EngineHarness.make()
        let template = try await registerTemplate(h, "sased-template", [
            text("Object Group", "sased-group"), text("x-Custom1", "one"), text("Contact Information", "template contact"),
        ])
        let request = registerSecret(h, TemplateAttribute([
            text("x-Custom3", "three"), text("Contact Information", "own contact"), Attribute(Name("sased-name")),
        ], names: [Name("sased-template")]))
        let uid = try await h.succeed(.register, request, RegisterResponsePayload.self, version: .v1_3).uniqueIdentifier
        let got = try await attributes(h, uid, ["Object Group", "x-Custom1", "x-Custom3", "Contact Information", "Name"])
        XCTAssertEqual(got["Object Group"], [.textString("sased-group")])
        XCTAssertEqual(got["x-Custom1"], [.textString("one")])
        XCTAssertEqual(got["x-Custom3"], [.textString("three")])
        XCTAssertEqual(got["Contact Information"], [.textString("own contact")], "an attribute given individually wins")
        XCTAssertEqual(got["Name"]?.count, 1, "the template's Name is not applied")

        // Found by the template's attribute, as SASED-M-3 finds it; the template by its Name.
        let byGroup = try await h.succeed(.locate, LocateRequestPayload([text("Object Group", "sased-group"), Attribute(ObjectType.secretData)]),
                                          LocateResponsePayload.self, version: .v1_3)
        XCTAssertEqual(byGroup.uniqueIdentifiers, [uid])
        let byName = try await h.succeed(.locate, LocateRequestPayload([Attribute(Name("sased-template")), Attribute(ObjectType.template)]),
                                         LocateResponsePayload.self, version: .v1_3)
        XCTAssertEqual(byName.uniqueIdentifiers, [template])
        var get = GetRequestPayload(); get.uniqueIdentifier = template
        let stored = try await h.succeed(.get, get, GetResponsePayload.self, version: .v1_3)
        guard case .template(let t)? = stored.object else { return XCTFail("Get of a Template returns the Template") }
        XCTAssertEqual(t.attributes.map(\.attributeName), ["Object Group", "x-Custom1", "Contact Information"])
    }

    func testCreateAndCreateKeyPairTakeTemplatesNamedInside() async throws {
        let h = try await EngineHarness.make()
        try await registerTemplate(h, "Template1", [text("Object Group", "Group1"), text("x-Purpose", "demonstration")], nameInside: true)
        try await registerTemplate(h, "aes-128", [Attribute(CryptographicAlgorithm.aes), Attribute(name: "Cryptographic Length", value: .integer(128)),
                                                   text("x-Purpose", "storage")])
        var create = CreateRequestPayload()
        create.objectType = .symmetricKey
        create.templateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.encrypt, .decrypt]))],
                                                     names: [Name("Template1"), Name("aes-128")])
        let key = try await h.succeed(.create, create, CreateResponsePayload.self, version: .v1_0).uniqueIdentifier
        let got = try await attributes(h, key, ["Object Group", "x-Purpose", "Cryptographic Length", "Name"])
        XCTAssertEqual(got["Object Group"], [.textString("Group1")])
        XCTAssertEqual(got["x-Purpose"], [.textString("demonstration"), .textString("storage")], "custom attributes are multi-valued")
        XCTAssertEqual(got["Cryptographic Length"], [.integer(128)], "the key was generated from the template's length")
        XCTAssertNil(got["Name"])

        var pair = CreateKeyPairRequestPayload()
        try await registerTemplate(h, "rsa", [Attribute(CryptographicAlgorithm.rsa), Attribute(name: "Cryptographic Length", value: .integer(2048))])
        pair.commonTemplateAttribute = TemplateAttribute([], names: [Name("rsa")])
        pair.privateKeyTemplateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.sign]))], names: [Name("Template1")])
        pair.publicKeyTemplateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.verify]))])
        let keys = try await h.succeed(.createKeyPair, pair, CreateKeyPairResponsePayload.self, version: .v1_2)
        let privateGroup = try await attributes(h, keys.privateKeyUniqueIdentifier, ["Object Group", "Cryptographic Length"])
        XCTAssertEqual(privateGroup["Object Group"], [.textString("Group1")])
        XCTAssertEqual(privateGroup["Cryptographic Length"], [.integer(2048)])
        let publicGroup = try await attributes(h, keys.publicKeyUniqueIdentifier, ["Object Group"])
        XCTAssertNil(publicGroup["Object Group"], "the private key's template is its own")
    }

    func testTemplateRefusals() async throws {
        let h = try await EngineHarness.make()
        await h.fail(.register, registerSecret(h, TemplateAttribute([], names: [Name("nobody")])), .itemNotFound, version: .v1_3)
        // Another scope's template is not there.
        let stranger = try await h.makeClient(scope: "other")
        try await registerTemplate(h, "theirs", [text("Object Group", "g")], as: stranger)
        await h.fail(.register, registerSecret(h, TemplateAttribute([], names: [Name("theirs")])), .itemNotFound, version: .v1_3)
        // A template holds only what a client may set.
        var p = RegisterRequestPayload()
        p.objectType = .template
        var bad = Template(); bad.attributes = [Attribute(State.active)]
        p.object = .template(bad)
        p.templateAttribute = TemplateAttribute([Attribute(Name("bad"))])
        await h.fail(.register, p, .invalidField, version: .v1_3)
        // Destroyed, a template no longer applies.
        let gone = try await registerTemplate(h, "gone", [text("Object Group", "g")])
        var destroy = DestroyRequestPayload(); destroy.uniqueIdentifier = gone
        _ = try await h.succeed(.destroy, destroy, DestroyResponsePayload.self, version: .v1_3)
        await h.fail(.register, registerSecret(h, TemplateAttribute([], names: [Name("gone")])), .itemNotFound, version: .v1_3)
    }
}
