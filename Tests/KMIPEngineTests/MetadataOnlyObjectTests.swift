import KMIP
import XCTest
@testable import KMIPEngine

/// Keys registered without their Key Value (TC-MDO: the value stays in an HSM, a Key Value
/// Location says where) and the client-stated Original Creation Date of registered objects.
final class MetadataOnlyObjectTests: XCTestCase {
    func registerWithoutValue(_ h: EngineHarness, location: Bool) -> RegisterRequestPayload {
        var p = RegisterRequestPayload()
        p.objectType = .symmetricKey
        var block = KeyBlock()
        block.keyFormatType = .raw; block.cryptographicAlgorithm = .aes; block.cryptographicLength = 128
        p.object = .symmetricKey(SymmetricKey(block))
        var attributes = [Attribute(CryptographicUsageMask([.encrypt, .decrypt]))]
        if location {
            var where_ = KeyValueLocation(); where_.keyValueLocationValue = "HSM-13345"
            attributes.append(Attribute(where_))
        }
        p.templateAttribute = TemplateAttribute(attributes)
        return p
    }

    func testAKeyWithoutItsValueIsMetadataOnly() async throws {
        let h = try await EngineHarness.make()
        await h.fail(.register, registerWithoutValue(h, location: false), .invalidField)
        let uid = try await h.succeed(.register, registerWithoutValue(h, location: true), RegisterResponsePayload.self).uniqueIdentifier
        let ordinary = try await h.createKey()

        let record = try await h.record(uid)
        XCTAssertEqual(record?.attributes.first(AttributeName.keyValuePresent)?.value(as: Bool.self), false)
        XCTAssertNil(record?.attributes.first(AttributeName.digest), "no value, no digest")
        let ordinaryRecord = try await h.record(ordinary)
        XCTAssertNil(ordinaryRecord?.attributes.first(AttributeName.keyValuePresent))

        var locate = LocateRequestPayload(); locate.attributes = [Attribute(name: AttributeName.keyValuePresent, value: .boolean(false))]
        let found = try await h.succeed(.locate, locate, LocateResponsePayload.self).uniqueIdentifiers
        XCTAssertEqual(found, [uid])

        var get = GetRequestPayload(); get.uniqueIdentifier = uid
        let block = try await h.succeed(.get, get, GetResponsePayload.self).object?.keyBlock
        XCTAssertNil(block?.keyValue)
        XCTAssertEqual(block?.cryptographicAlgorithm, .aes)

        var activate = ActivateRequestPayload(); activate.uniqueIdentifier = uid
        _ = try await h.succeed(.activate, activate, ActivateResponsePayload.self)
        var encrypt = EncryptRequestPayload(); encrypt.uniqueIdentifier = uid; encrypt.data = ByteString([1, 2, 3])
        let refused = await h.one(.encrypt, encrypt)
        XCTAssertEqual(refused.resultStatus, .operationFailed, "a key the server does not hold encrypts nothing")
    }

    func testOriginalCreationDateIsTheClientsForRegisteredObjectsOnly() async throws {
        let h = try await EngineHarness.make()
        let stated = DateTime(secondsSince1970: 38_520)
        let uid = try await h.registerSecret(attributes: [Attribute(name: AttributeName.originalCreationDate, value: .dateTime(stated))])
        let record = try await h.record(uid)
        XCTAssertEqual(record?.attributes.date(AttributeName.originalCreationDate), stated)
        var create = CreateRequestPayload()
        create.objectType = .symmetricKey
        create.templateAttribute = TemplateAttribute([Attribute(CryptographicAlgorithm.aes), Attribute(name: "Cryptographic Length", value: .integer(128)),
                                                      Attribute(name: AttributeName.originalCreationDate, value: .dateTime(stated))])
        await h.fail(.create, create, .invalidField)
        var add = AddAttributeRequestPayload(); add.uniqueIdentifier = uid
        add.attribute = Attribute(name: AttributeName.originalCreationDate, value: .dateTime(stated))
        let added = await h.one(.addAttribute, add)
        XCTAssertEqual(added.resultStatus, .operationFailed, "not changed after creation")
    }
}
