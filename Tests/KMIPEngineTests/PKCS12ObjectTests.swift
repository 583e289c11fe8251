import KMIP
import KMIPCrypto
import KMIPPKI
import XCTest
@testable import KMIPEngine

/// PKCS#12 through the engine: a registered PKCS#12 becomes a PKCS#8 key and linked certificates,
/// and a key leaves as a PKCS#12 under the password its link names.
final class PKCS12ObjectTests: XCTestCase {
    static let ca = try! KMIPCA.generate()
    static let password = Array("p12-password".utf8)

    func registerPassword(_ h: EngineHarness, active: Bool) async throws -> String {
        var p = RegisterRequestPayload()
        p.objectType = .secretData
        p.object = .secretData(SecretData(.password, KeyBlock(keyFormatType: .opaque, keyMaterial: .byteString(ByteString(Self.password)))))
        var attributes: [Attribute] = []
        if active { attributes.append(Attribute(name: AttributeName.activationDate, value: .dateTime(DateTime(secondsSince1970: 1)))) }
        p.templateAttribute = TemplateAttribute(attributes)
        return try await h.succeed(.register, p, RegisterResponsePayload.self).uniqueIdentifier
    }

    func registerPKCS12(_ file: [UInt8], password uid: String) -> RegisterRequestPayload {
        var block = KeyBlock()
        block.keyFormatType = .pkcs12
        block.keyValue = .wrapped(ByteString(file))
        var p = RegisterRequestPayload()
        p.objectType = .privateKey
        p.object = .privateKey(PrivateKey(block))
        p.templateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.sign])), Attribute(Link(.pkcs12PasswordLink, uid)),
                                                 Attribute(name: AttributeName.pkcs12FriendlyName, value: .textString("alias"))])
        return p
    }

    func testAPKCS12RegistersAsAKeyAndLinkedCertificatesAndLeavesAsOne() async throws {
        let h = try await EngineHarness.make()
        let key = try AsymmetricKey(pkcs8: try Self.ca.exportRootKeyPKCS8())
        let chain = [try Self.ca.rootCertificateDER(), try Self.ca.intermediateCertificateDER()]
        let file = try PKCS12.make(key: key, certificates: chain, password: SecretBytes(Self.password), friendlyName: "alias").bytes

        let pending = try await registerPassword(h, active: false)
        await h.fail(.register, registerPKCS12(file, password: pending), .permissionDenied)
        let password = try await registerPassword(h, active: true)
        let uid = try await h.succeed(.register, registerPKCS12(file, password: password), RegisterResponsePayload.self).uniqueIdentifier

        var get = GetRequestPayload(); get.uniqueIdentifier = uid
        let stored = try await h.succeed(.get, get, GetResponsePayload.self).object?.keyBlock
        XCTAssertEqual(stored?.keyFormatType, .pkcs8)
        XCTAssertEqual(stored?.plainKeyValue?.keyMaterial, .byteString(ByteString(try key.pkcs8().bytes)))

        // key → certificate 1 → certificate 2, each by a PKCS#12 Certificate Link.
        var next = (try await h.record(uid)?.attributes ?? []).linked(.pkcs12CertificateLink)
        var certificates: [[UInt8]] = []
        while let certificate = next {
            let record = try await h.record(certificate)
            guard case .certificate(let c)? = try record?.value() else { return XCTFail("a link names no certificate") }
            certificates.append(c.certificateValue.bytes)
            next = (record?.attributes ?? []).linked(.pkcs12CertificateLink)
        }
        XCTAssertEqual(certificates, chain)

        get.keyFormatType = .pkcs12
        let exported = try await h.succeed(.get, get, GetResponsePayload.self).object?.keyBlock
        XCTAssertEqual(exported?.keyFormatType, .pkcs12)
        guard case .wrapped(let bytes)? = exported?.keyValue else { return XCTFail("the PKCS#12 is the Key Value's bytes") }
        let (readKey, readChain) = try PKCS12.read(bytes.bytes, password: SecretBytes(Self.password))
        XCTAssertEqual(try readKey.pkcs8(), try key.pkcs8())
        XCTAssertEqual(readChain, chain)
    }

    func testRefusals() async throws {
        let h = try await EngineHarness.make()
        let key = try AsymmetricKey(pkcs8: try Self.ca.exportRootKeyPKCS8())
        let file = try PKCS12.make(key: key, certificates: [], password: SecretBytes(Self.password), friendlyName: nil).bytes
        let password = try await registerPassword(h, active: true)
        let wrong = try await h.registerSecret()  // "s3cret", Pre-Active
        var activate = ActivateRequestPayload(); activate.uniqueIdentifier = wrong
        _ = try await h.succeed(.activate, activate, ActivateResponsePayload.self)
        await h.fail(.register, registerPKCS12(file, password: wrong), .invalidField)  // does not open
        await h.fail(.register, registerPKCS12([0x30, 0x00], password: password), .invalidField)
        let stranger = try await h.makeClient(scope: "elsewhere")
        await h.fail(.register, registerPKCS12(file, password: password), .itemNotFound, as: stranger)

        var get = GetRequestPayload(); get.keyFormatType = .pkcs12
        get.uniqueIdentifier = try await h.createKey()
        await h.fail(.get, get, .keyFormatTypeNotSupported)
        let (priv, _) = try await h.registerPair(SignHandlerTests.rsa, activate: false)
        get.uniqueIdentifier = priv
        await h.fail(.get, get, .missingData)  // no PKCS#12 Password Link
        // A password that may not leave the server protects no file that does.
        var sealed = RegisterRequestPayload()
        sealed.objectType = .secretData
        sealed.object = .secretData(SecretData(.password, KeyBlock(keyFormatType: .opaque, keyMaterial: .byteString(ByteString(Self.password)))))
        sealed.templateAttribute = TemplateAttribute([Attribute(name: AttributeName.activationDate, value: .dateTime(DateTime(secondsSince1970: 1))),
                                                      Attribute(name: AttributeName.extractable, value: .boolean(false))])
        let sealedPassword = try await h.succeed(.register, sealed, RegisterResponsePayload.self).uniqueIdentifier
        var link = AddAttributeRequestPayload(); link.uniqueIdentifier = priv; link.attribute = Attribute(Link(.pkcs12PasswordLink, sealedPassword))
        _ = try await h.succeed(.addAttribute, link, AddAttributeResponsePayload.self)
        await h.fail(.get, get, .permissionDenied)
    }
}
