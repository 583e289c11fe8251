import KMIP
import KMIPCrypto
import XCTest
@testable import KMIPEngine

/// Derive Key against published known answers: the OASIS KMIP 1.4 test cases TC-DERIVEKEY-1…5,
/// RFC 6070 (PBKDF2-HMAC-SHA1), RFC 5869 (HKDF), the NIST SP 800-108 counter-mode vector PyKMIP's
/// suite uses, and `openssl enc` for derivation by encryption.
final class DeriveKeyHandlerTests: XCTestCase {
    static let hex = MACHandlerTests.hex
    static let oasisKey = hex("00112233445566778899aabbccddeeff")

    // MARK: - Helpers

    func registerBase(_ h: EngineHarness, _ material: [UInt8], type: ObjectType = .symmetricKey,
                      algorithm: CryptographicAlgorithm = .aes, usage: CryptographicUsageMask? = .deriveKey,
                      activate: Bool = true) async throws -> String {
        let object: ManagedObject = type == .secretData
            ? .secretData(SecretData(.password, KeyBlock(keyFormatType: .opaque, keyMaterial: .byteString(ByteString(material)))))
            : .symmetricKey(SymmetricKey(KeyBlock(keyFormatType: .raw, keyMaterial: .byteString(ByteString(material)),
                                                  cryptographicAlgorithm: algorithm, cryptographicLength: Int32(material.count * 8))))
        return try await h.registerKey(object, usage: usage, activate: activate)
    }

    func request(_ base: String?, _ method: DerivationMethod, hashing: HashingAlgorithm? = nil, data: [UInt8]? = nil,
                 salt: [UInt8]? = nil, iterations: Int32? = nil, iv: [UInt8]? = nil, cipher: CryptographicParameters? = nil,
                 type: ObjectType = .symmetricKey, bits: Int32? = 128) -> DeriveKeyRequestPayload {
        var r = DeriveKeyRequestPayload()
        r.objectType = type
        r.uniqueIdentifiers = base.map { [$0] } ?? []
        r.derivationMethod = method
        var p = DerivationParameters()
        if let cipher { p.cryptographicParameters = cipher } else if let hashing {
            var c = CryptographicParameters(); c.hashingAlgorithm = hashing; p.cryptographicParameters = c
        }
        p.derivationData = data.map(ByteString.init)
        p.salt = salt.map(ByteString.init)
        p.iterationCount = iterations
        p.initializationVector = iv.map(ByteString.init)
        r.derivationParameters = p
        var attributes: [Attribute] = []
        if type == .symmetricKey { attributes.append(Attribute(CryptographicAlgorithm.aes)) }
        if let bits { attributes.append(Attribute(name: AttributeName.cryptographicLength, value: .integer(bits))) }
        r.templateAttribute = TemplateAttribute(attributes)
        return r
    }

    /// Derives, then reads the new object back with Get.
    func derived(_ h: EngineHarness, _ r: DeriveKeyRequestPayload, file: StaticString = #filePath, line: UInt = #line) async throws -> [UInt8] {
        let id = try await h.succeed(.deriveKey, r, DeriveKeyResponsePayload.self, file: file, line: line).uniqueIdentifier
        var get = GetRequestPayload(); get.uniqueIdentifier = id
        let object = try await h.succeed(.get, get, GetResponsePayload.self, file: file, line: line).object
        guard case .byteString(let bytes)? = object?.keyBlock?.plainKeyValue?.keyMaterial else {
            XCTFail("the derived object holds no key bytes", file: file, line: line); return []
        }
        return bytes.bytes
    }

    func expectDerived(_ h: EngineHarness, _ r: DeriveKeyRequestPayload, _ expected: [UInt8], _ message: String = "",
                       file: StaticString = #filePath, line: UInt = #line) async throws {
        let bytes = try await derived(h, r, file: file, line: line)
        XCTAssertEqual(bytes, expected, message, file: file, line: line)
    }

    // MARK: - Known answers

    func testOASISHashAndHMACCases() async throws {
        let h = try await EngineHarness.make()
        let base = try await registerBase(h, Self.oasisKey)
        // TC-DERIVEKEY-1-14: HASH, SHA-256.
        try await expectDerived(h, request(base, .hash, hashing: .sha256), Self.hex("a8faed6abbf35c12a4b26e40f6feb19d"))
        // TC-DERIVEKEY-2-14: HMAC-SHA-256 of 0102.
        try await expectDerived(h, request(base, .hmac, hashing: .sha256, data: [1, 2]), Self.hex("1e15c1f1da233629f770fb0a04a5020e"))
    }

    func testPBKDF2MatchesTheOASISCasesAndRFC6070() async throws {
        let h = try await EngineHarness.make()
        let password = try await registerBase(h, Array("password".utf8), type: .secretData)
        let salt = Array("salt".utf8)
        // TC-DERIVEKEY-3/4-14 (RFC 6070 cases 1 and 3, truncated to 128 bits): SHA-1 by default.
        try await expectDerived(h, request(password, .pbkdf2, salt: salt, iterations: 1), Self.hex("0c60c80f961f0e71f3a9b524af601206"))
        try await expectDerived(h, request(password, .pbkdf2, salt: salt, iterations: 4096), Self.hex("4b007901b765489abead49d926f721d0"))
        // TC-DERIVEKEY-5-14: SHA-256, 256 bits (two-block output for SHA-1 checked below).
        try await expectDerived(h, request(password, .pbkdf2, hashing: .sha256, salt: salt, iterations: 4096, bits: 256), Self.hex("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"))
        // RFC 6070 case 2 in full (160 bits), and a 200-bit output spanning two SHA-1 blocks (case 5's length, salt and password differ).
        try await expectDerived(h, request(password, .pbkdf2, salt: salt, iterations: 2, bits: 160), Self.hex("ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"))
        let long = try await registerBase(h, Array("passwordPASSWORDpassword".utf8), type: .secretData)
        try await expectDerived(h, request(long, .pbkdf2, salt: Array("saltSALTsaltSALTsaltSALTsaltSALTsalt".utf8),
                                                    iterations: 4096, bits: 200), Self.hex("3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"))
    }

    func testHMACWithASaltIsHKDF() async throws {
        let h = try await EngineHarness.make()
        // RFC 5869 test case 1 (SHA-256) and 7 (SHA-1, empty salt and info) — PyKMIP's HMAC test.
        let ikm = try await registerBase(h, [UInt8](repeating: 0x0b, count: 22), type: .secretData)
        try await expectDerived(h, request(ikm, .hmac, hashing: .sha256, data: Array(0xf0...0xf9), salt: Array(0x00...0x0c),
                                                    type: .secretData, bits: 336), Self.hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"))
        let seed = try await registerBase(h, [UInt8](repeating: 0x0c, count: 22), type: .secretData)
        try await expectDerived(h, request(seed, .hmac, hashing: .sha1, data: [], salt: [], type: .secretData, bits: 336), Self.hex("2c91117204d745f3500d636a62f64f0ab3bae548aa53d423b0d1f27ebba6f5e5673a081d70cce7acfc48"))
    }

    func testNIST800108CounterMode() async throws {
        let h = try await EngineHarness.make()
        let key = Self.hex("dd5dbd45593ee2ac139748e7645b450f223d2ff297b73fd71cbcebe71d41653c950b88500de5322d99ef18dfdd30428294c4b3094f4c954334e593bd982ec614")
        let base = try await registerBase(h, key, usage: .deriveKey, activate: false)
        let fixed = Self.hex("b50b0c963c6b3034b8cf19cd3f5c4ebe4f4985af0c03e575db62e6fdf1ecfe4f28b95d7ce16df85843246e1557ce95bb26cc9a21974bbd2eb69e8355")
        try await expectDerived(h, request(base, .nist800108C, hashing: .sha512, data: fixed), Self.hex("e5993bf9bd2aa1c45746042e12598155"), "a Pre-Active base derives (PyKMIP never activates it)")
    }

    func testDerivationByEncryptionMatchesOpenSSL() async throws {
        let h = try await EngineHarness.make()
        let base = try await registerBase(h, Array(0x00...0x0f), usage: [.deriveKey])
        var cipher = CryptographicParameters()
        cipher.blockCipherMode = .cbc; cipher.paddingMethod = .pkcs5; cipher.cryptographicAlgorithm = .aes
        // openssl enc -aes-128-cbc -K 000102…0f -iv 0f0e…00 of "derivation by encryption".
        try await expectDerived(h, request(base, .encrypt, data: Array("derivation by encryption".utf8),
                                                    iv: Array((0x00...0x0f).reversed()), cipher: cipher, type: .secretData, bits: 256), Self.hex("0748a1714f401ff6711daf27f43ab2923310876f6581444f660e6fa64bc6b9de"))
    }

    /// PyKMIP's `test_derive_key_using_encryption`: Blowfish-CBC with PKCS#5 padding (Eric Young's
    /// vector: this key, IV and message), through OpenSSL's legacy provider. Encrypt with the same
    /// key stays refused: Blowfish is for derivation only.
    func testDerivationByBlowfishEncryptionForPyKMIP() async throws {
        let h = try await EngineHarness.make()
        let key = Self.hex("0123456789abcdeff0e1d2c3b4a59687")
        let base = try await registerBase(h, key, algorithm: .blowfish, usage: [.deriveKey, .encrypt], activate: true)
        var cipher = CryptographicParameters()
        cipher.blockCipherMode = .cbc; cipher.paddingMethod = .pkcs5; cipher.cryptographicAlgorithm = .blowfish
        let data = Self.hex("37363534333231204e6f77206973207468652074696d6520666f722000")
        try await expectDerived(h, request(base, .encrypt, data: data, iv: Self.hex("fedcba9876543210"), cipher: cipher,
                                           type: .secretData, bits: 256),
                                Self.hex("6b77b4d63006dee605b156e27403979358deb9e7154616d9749decbec05d264b"))
        var encrypt = EncryptRequestPayload()
        encrypt.uniqueIdentifier = base; encrypt.cryptographicParameters = cipher
        encrypt.data = ByteString(data); encrypt.ivCounterNonce = ByteString(Self.hex("fedcba9876543210"))
        await h.fail(.encrypt, encrypt, .cryptographicFailure)
    }

    /// TC-DERIVEKEY-6-14: ECDH of one party's private key and the other's public key, named in
    /// either order, gives both parties the same key (the shared secret, checked against
    /// `openssl pkeyutl -derive` in OpenSSLInteropTests).
    func testKeyAgreementByECDH() async throws {
        let h = try await EngineHarness.make()
        let a = try AsymmetricKey.generateEC(curve: .secp256k1), b = try AsymmetricKey.generateEC(curve: .secp256k1)
        let (aPrivate, aPublic) = try await h.registerPair(a, privateUsage: [.deriveKey, .sign], publicUsage: [.deriveKey, .verify])
        let (bPrivate, bPublic) = try await h.registerPair(b, privateUsage: [.deriveKey, .sign], publicUsage: [.deriveKey, .verify])
        var cipher = CryptographicParameters(); cipher.cryptographicAlgorithm = .ecdh
        func agreement(_ uids: [String], bits: Int32? = 256) -> DeriveKeyRequestPayload {
            var r = request(nil, .asymmetricKey, cipher: cipher, bits: bits)
            r.uniqueIdentifiers = uids
            return r
        }
        let expected = try a.agree(with: try AsymmetricKey(subjectPublicKeyInfo: try b.subjectPublicKeyInfo())).bytes
        try await expectDerived(h, agreement([aPrivate, bPublic]), expected)
        try await expectDerived(h, agreement([aPublic, bPrivate]), expected, "either party, either order")
        try await expectDerived(h, agreement([bPrivate, aPublic], bits: 128), Array(expected.prefix(16)))

        await h.fail(.deriveKey, agreement([aPublic, bPublic]), .invalidObjectType)
        await h.fail(.deriveKey, agreement([aPrivate]), .invalidField)
        await h.fail(.deriveKey, agreement([aPrivate, bPublic], bits: 512), .invalidField)
        var dh = agreement([aPrivate, bPublic]); dh.derivationParameters.cryptographicParameters?.cryptographicAlgorithm = .dh
        await h.fail(.deriveKey, dh, .featureNotSupported)
        let other = try AsymmetricKey.generateEC(curve: .p256)
        let (_, otherPublic) = try await h.registerPair(other, privateUsage: [.deriveKey], publicUsage: [.deriveKey])
        await h.fail(.deriveKey, agreement([aPrivate, otherPublic]), .invalidField)
        let (signOnly, _) = try await h.registerPair(try AsymmetricKey.generateEC(curve: .secp256k1))
        await h.fail(.deriveKey, agreement([signOnly, bPublic]), .permissionDenied)
    }

    // MARK: - The new object

    func testTheDerivedKeyCarriesTheTemplateAndALinkToItsBase() async throws {
        let h = try await EngineHarness.make()
        let base = try await registerBase(h, Self.oasisKey)
        let id = try await h.succeed(.deriveKey, request(base, .hmac, hashing: .sha256, data: [1]), DeriveKeyResponsePayload.self).uniqueIdentifier
        let stored = try await h.record(id)
        let record = try XCTUnwrap(stored)
        XCTAssertEqual(record.attributes.first(AttributeName.cryptographicAlgorithm)?.value(as: CryptographicAlgorithm.self), .aes)
        XCTAssertEqual(record.attributes.first(AttributeName.cryptographicLength)?.value(as: Int32.self), 128)
        let link = record.attributes.first(AttributeName.link)?.value(as: Link.self)
        XCTAssertEqual(link?.linkType, .derivationBaseObjectLink)
        XCTAssertEqual(link?.linkedObjectIdentifier, base)
        XCTAssertEqual(record.state, .preActive)
    }

    func testDeriveKeyUsesTheIDPlaceholderAndIsUndoneWithItsBatch() async throws {
        let h = try await EngineHarness.make()
        var register = RegisterRequestPayload()
        register.objectType = .symmetricKey
        register.object = .symmetricKey(SymmetricKey(KeyBlock(keyFormatType: .raw, keyMaterial: .byteString(ByteString(Self.oasisKey)),
                                                              cryptographicAlgorithm: .aes, cryptographicLength: 128)))
        register.templateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask.deriveKey)])
        var destroyMissing = DestroyRequestPayload(); destroyMissing.uniqueIdentifier = "no-such-object"
        let items = [
            RequestBatchItem(operation: .register, uniqueBatchItemID: ByteString([1]), payload: register),
            RequestBatchItem(operation: .deriveKey, uniqueBatchItemID: ByteString([2]), payload: request(nil, .hash, hashing: .sha256)),
            RequestBatchItem(operation: .destroy, uniqueBatchItemID: ByteString([3]), payload: destroyMissing),
        ]
        var header = RequestHeader(protocolVersion: .v1_4, batchCount: 3)
        header.batchErrorContinuationOption = .undo
        let encoded = await h.engine.respond(to: RequestMessage(header: header, batchItems: items), client: h.client).encoded()
        let response = try ResponseMessage(ttlv: encoded)
        XCTAssertEqual(response.batchItems.map(\.resultStatus), [.operationUndone, .operationUndone, .operationFailed], "\(response.batchItems.map { $0.resultMessage })")
        let found = try await h.succeed(.locate, LocateRequestPayload(), LocateResponsePayload.self).uniqueIdentifiers
        XCTAssertEqual(found, [], "the base and the key derived from it (through the ID Placeholder) are gone with their batch")

        // Without the failing item both stand, the derived key linked to the registered one.
        header.batchCount = 2
        header.batchErrorContinuationOption = nil
        let kept = try ResponseMessage(ttlv: await h.engine.respond(to: RequestMessage(header: header, batchItems: Array(items.prefix(2))),
                                                                     client: h.client).encoded())
        XCTAssertEqual(kept.batchItems.map(\.resultStatus), [.success, .success])
        let baseID = try XCTUnwrap(kept.batchItems[0].responsePayload as? RegisterResponsePayload).uniqueIdentifier
        let derivedID = try XCTUnwrap(kept.batchItems[1].responsePayload as? DeriveKeyResponsePayload).uniqueIdentifier
        let stored = try await h.record(derivedID)
        let link = try XCTUnwrap(stored).attributes.first(AttributeName.link)?.value(as: Link.self)
        XCTAssertEqual(link?.linkedObjectIdentifier, baseID)
    }

    // MARK: - Refusals

    func testRefusals() async throws {
        let h = try await EngineHarness.make()
        let base = try await registerBase(h, Self.oasisKey)
        let encryptOnly = try await registerBase(h, Self.oasisKey, usage: .encrypt)
        await h.fail(.deriveKey, request(encryptOnly, .hash, hashing: .sha256), .permissionDenied)

        let revoked = try await registerBase(h, Self.oasisKey)
        var revoke = RevokeRequestPayload(); revoke.uniqueIdentifier = revoked
        revoke.revocationReason = RevocationReason(.cessationOfOperation)
        _ = try await h.succeed(.revoke, revoke, RevokeResponsePayload.self)
        await h.fail(.deriveKey, request(revoked, .hash, hashing: .sha256), .permissionDenied)

        await h.fail(.deriveKey, request(base, .pbkdf2, salt: [1], iterations: 2_000_001), .invalidField)
        await h.fail(.deriveKey, request(base, .pbkdf2, salt: [1], iterations: 1, bits: nil), .missingData)
        await h.fail(.deriveKey, request(base, .pbkdf2, iterations: 1), .missingData)
        await h.fail(.deriveKey, request(base, .pbkdf2, salt: [1], iterations: 1, bits: 8_200), .invalidField)
        await h.fail(.deriveKey, request(base, .hash, hashing: .sha256, data: [1]), .invalidField)
        await h.fail(.deriveKey, request(base, .hash), .missingData)
        await h.fail(.deriveKey, request(base, .hmac, hashing: .sha256, bits: 512), .invalidField)
        await h.fail(.deriveKey, request(base, .hmac, hashing: .md5, data: [1]), .cryptographicFailure)
        await h.fail(.deriveKey, request(base, .nist800108C, hashing: .sha256), .missingData)
        await h.fail(.deriveKey, request(base, .asymmetricKey), .invalidField)  // one object: agreement needs two
        var two = request(base, .hash, hashing: .sha256); two.uniqueIdentifiers = [base, base]
        await h.fail(.deriveKey, two, .featureNotSupported)
        var privateKey = request(base, .hash, hashing: .sha256); privateKey.objectType = .privateKey
        await h.fail(.deriveKey, privateKey, .invalidField)
    }

    func testOnlyOperationAllAllowsDeriveKey() async throws {
        let h = try await EngineHarness.make()
        let base = try await registerBase(h, Self.oasisKey)
        let everyFlag = Set(RoleOperationFlags.flags.map(\.operation))
        XCTAssertFalse(everyFlag.contains(.deriveKey), "Vault has no operation_derive_key flag")
        let limited = try await h.makeClient(scope: "default", role: "flags", all: false, operations: everyFlag)
        await h.fail(.deriveKey, request(base, .hash, hashing: .sha256), .permissionDenied, as: limited)
    }
}
