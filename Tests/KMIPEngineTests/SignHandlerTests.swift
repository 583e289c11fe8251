import Foundation
import KMIP
import KMIPCrypto
import XCTest
@testable import KMIPEngine

extension EngineHarness {
    /// Registers (and, unless `activate` is false, activates) a key object; returns its identifier.
    func registerKey(_ object: ManagedObject, usage: CryptographicUsageMask?, attributes: [Attribute] = [],
                     activate: Bool = true, file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        clock.advance()
        var p = RegisterRequestPayload()
        p.objectType = object.objectType
        p.object = object
        p.templateAttribute = TemplateAttribute((usage.map { [Attribute($0)] } ?? []) + attributes)
        let id = try await succeed(.register, p, RegisterResponsePayload.self, file: file, line: line).uniqueIdentifier
        if activate {
            var a = ActivateRequestPayload(); a.uniqueIdentifier = id
            _ = try await succeed(.activate, a, ActivateResponsePayload.self, file: file, line: line)
        }
        return id
    }

    /// Registers the private half (PKCS#8) and the public half (X.509) of `key`.
    func registerPair(_ key: AsymmetricKey, activate: Bool = true, privateUsage: CryptographicUsageMask? = .sign,
                      publicUsage: CryptographicUsageMask? = .verify, attributes: [Attribute] = []) async throws -> (priv: String, pub: String) {
        let alg = key.cryptographicAlgorithm
        let priv = ManagedObject.privateKey(PrivateKey(KeyBlock(
            keyFormatType: .pkcs8, keyMaterial: .byteString(ByteString(try key.pkcs8().bytes)), cryptographicAlgorithm: alg,
            cryptographicLength: Int32(key.bitLength))))
        let pub = ManagedObject.publicKey(PublicKey(KeyBlock(
            keyFormatType: .x509, keyMaterial: .byteString(ByteString(try key.subjectPublicKeyInfo())), cryptographicAlgorithm: alg,
            cryptographicLength: Int32(key.bitLength))))
        return (try await registerKey(priv, usage: privateUsage, attributes: attributes, activate: activate),
                try await registerKey(pub, usage: publicUsage, attributes: attributes, activate: activate))
    }
}

private func params(_ hash: HashingAlgorithm? = nil, padding: PaddingMethod? = nil, dsa: DigitalSignatureAlgorithm? = nil) -> CryptographicParameters {
    var p = CryptographicParameters()
    p.hashingAlgorithm = hash
    p.paddingMethod = padding
    p.digitalSignatureAlgorithm = dsa
    return p
}

final class SignHandlerTests: XCTestCase {
    static let rsa: AsymmetricKey = try! AsymmetricKey.generateRSA(bits: 2048)

    func signRequest(_ id: String?, _ p: CryptographicParameters?, data: [UInt8]? = nil, digest: [UInt8]? = nil) -> SignRequestPayload {
        var r = SignRequestPayload()
        r.uniqueIdentifier = id; r.cryptographicParameters = p
        r.data = data.map(ByteString.init); r.digestedData = digest.map(ByteString.init)
        return r
    }

    func verifyRequest(_ id: String?, _ p: CryptographicParameters?, data: [UInt8]? = nil, digest: [UInt8]? = nil,
                       signature: [UInt8]?) -> SignatureVerifyRequestPayload {
        var r = SignatureVerifyRequestPayload()
        r.uniqueIdentifier = id; r.cryptographicParameters = p
        r.data = data.map(ByteString.init); r.digestedData = digest.map(ByteString.init)
        r.signatureData = signature.map(ByteString.init)
        return r
    }

    func validity(_ h: EngineHarness, _ r: SignatureVerifyRequestPayload, file: StaticString = #filePath, line: UInt = #line) async throws -> ValidityIndicator? {
        try await h.succeed(.signatureVerify, r, SignatureVerifyResponsePayload.self, file: file, line: line).validityIndicator
    }

    func testRSASignAndVerifyOverTheHashSet() async throws {
        let h = try await EngineHarness.make()
        let (priv, pub) = try await h.registerPair(Self.rsa)
        let message = Array("the quick brown fox".utf8)
        for padding in [PaddingMethod.pkcs1V15, .pss] {
            let hashes: [HashingAlgorithm] = padding == .pss
                ? [.sha224, .sha256, .sha384, .sha512, .ripemd160, .sha512224, .sha512256, .sha3224, .sha3256, .sha3384, .sha3512]
                : [.sha224, .sha256, .sha384, .sha512, .ripemd160]
            for hash in hashes {
                let p = params(hash, padding: padding)
                let sig = try await h.succeed(.sign, signRequest(priv, p, data: message), SignResponsePayload.self)
                XCTAssertEqual(sig.uniqueIdentifier, priv)
                let signature = try XCTUnwrap(sig.signatureData).bytes
                XCTAssertTrue(try Self.rsa.verify(signature, message: message, scheme: SignatureScheme(parameters: p, key: Self.rsa)))
                let v1 = try await validity(h, verifyRequest(pub, p, data: message, signature: signature))
                XCTAssertEqual(v1, .valid, "\(padding) \(hash)")
                let v2 = try await validity(h, verifyRequest(pub, p, data: message + [0], signature: signature))
                XCTAssertEqual(v2, .invalid, "\(padding) \(hash)")
            }
        }
    }

    /// A stored key is parsed once, never served after its material changed, and forgotten on Destroy.
    func testParsedKeysAreCachedPerObjectAndMaterialAndDroppedOnDestroy() async throws {
        let cache = StoredKeyCache()
        let other = try AsymmetricKey.generateEd25519()
        var loads = 0
        func load(_ key: AsymmetricKey) -> () throws -> AsymmetricKey { { loads += 1; return key } }
        let a = KeyMaterial.byteString(ByteString([1, 2, 3])), b = KeyMaterial.byteString(ByteString([1, 2, 4]))
        XCTAssertTrue(try cache.key(scopeID: "s", uniqueIdentifier: "k", material: a, load: load(Self.rsa)) === Self.rsa)
        XCTAssertTrue(try cache.key(scopeID: "s", uniqueIdentifier: "k", material: a, load: load(other)) === Self.rsa)
        XCTAssertEqual(loads, 1, "parsed once")
        XCTAssertTrue(try cache.key(scopeID: "s", uniqueIdentifier: "k", material: b, load: load(other)) === other,
                      "changed material is parsed again, never served stale")
        XCTAssertTrue(try cache.key(scopeID: "t", uniqueIdentifier: "k", material: b, load: load(Self.rsa)) === Self.rsa,
                      "another scope's object of the same name is its own entry")
        XCTAssertEqual(loads, 3)

        let h = try await EngineHarness.make()
        let (priv, _) = try await h.registerPair(Self.rsa)
        let message = Array("cached".utf8)
        for _ in 0..<3 {
            _ = try await h.succeed(.sign, signRequest(priv, params(.sha256, padding: .pkcs1V15), data: message), SignResponsePayload.self)
        }
        XCTAssertEqual(h.engine.storedKeys.count, 1)
        var revoke = RevokeRequestPayload(); revoke.uniqueIdentifier = priv; revoke.revocationReason = RevocationReason(.cessationOfOperation)
        _ = try await h.succeed(.revoke, revoke, RevokeResponsePayload.self)
        var destroy = DestroyRequestPayload(); destroy.uniqueIdentifier = priv
        _ = try await h.succeed(.destroy, destroy, DestroyResponsePayload.self)
        XCTAssertEqual(h.engine.storedKeys.count, 0, "no parsed key outlives its object's value")
    }

    func testDigitalSignatureAlgorithmAndDefaultsFromTheKey() async throws {
        let h = try await EngineHarness.make()
        let (priv, pub) = try await h.registerPair(Self.rsa, attributes: [Attribute(params(.sha384, padding: .pss))])
        let message = Array("defaults".utf8)
        // No parameters in the request: the key's Cryptographic Parameters (PSS, SHA-384).
        let sig = try unwrapAwaited(try await h.succeed(.sign, signRequest(priv, nil, data: message), SignResponsePayload.self).signatureData).bytes
        XCTAssertTrue(try Self.rsa.verify(sig, message: message, scheme: .rsaPSS(.sha384)))
        let v = try await validity(h, verifyRequest(pub, nil, data: message, signature: sig))
        XCTAssertEqual(v, .valid)
        // The request's Digital Signature Algorithm.
        let p = params(dsa: .sha256WithRSAEncryptionPKCS1V15)
        let sig2 = try unwrapAwaited(try await h.succeed(.sign, signRequest(priv, p, data: message), SignResponsePayload.self).signatureData).bytes
        XCTAssertTrue(try Self.rsa.verify(sig2, message: message, scheme: .rsaPKCS1v15(.sha256)))
    }

    func testDigestedData() async throws {
        let h = try await EngineHarness.make()
        let (priv, pub) = try await h.registerPair(Self.rsa)
        let message = Array("pre-hashed".utf8)
        let digest = try DigestAlgorithm(.sha256).hash(message)
        let p = params(.sha256, padding: .pkcs1V15)
        let sig = try unwrapAwaited(try await h.succeed(.sign, signRequest(priv, p, digest: digest), SignResponsePayload.self).signatureData).bytes
        // PKCS#1 v1.5 is deterministic: the same as signing the message.
        let direct = try unwrapAwaited(try await h.succeed(.sign, signRequest(priv, p, data: message), SignResponsePayload.self).signatureData).bytes
        XCTAssertEqual(sig, direct)
        let v1 = try await validity(h, verifyRequest(pub, p, digest: digest, signature: sig))
        XCTAssertEqual(v1, .valid)
        let v2 = try await validity(h, verifyRequest(pub, p, data: message, signature: sig))
        XCTAssertEqual(v2, .valid)
        await h.fail(.sign, signRequest(priv, p, digest: Array(digest.dropLast())), .invalidField)
        await h.fail(.sign, signRequest(priv, p), .missingData)
    }

    func testECDSAAndEd25519() async throws {
        let h = try await EngineHarness.make()
        let message = Array("elliptic".utf8)
        for curve in [ECCurve.p256, .p384, .p521] {
            let key = try AsymmetricKey.generateEC(curve: curve)
            let (priv, pub) = try await h.registerPair(key)
            for p in [params(.sha256), params(dsa: .ecdsaWithSHA384)] {
                let sig = try unwrapAwaited(try await h.succeed(.sign, signRequest(priv, p, data: message), SignResponsePayload.self).signatureData).bytes
                let v = try await validity(h, verifyRequest(pub, p, data: message, signature: sig))
                XCTAssertEqual(v, .valid, "\(curve)")
                let bad = try await validity(h, verifyRequest(pub, p, data: Array("other".utf8), signature: sig))
                XCTAssertEqual(bad, .invalid)
            }
        }
        let ed = try AsymmetricKey.generateEd25519()
        let (priv, pub) = try await h.registerPair(ed)
        let sig = try unwrapAwaited(try await h.succeed(.sign, signRequest(priv, nil, data: message), SignResponsePayload.self).signatureData).bytes
        XCTAssertEqual(sig.count, 64)
        let v = try await validity(h, verifyRequest(pub, nil, data: message, signature: sig))
        XCTAssertEqual(v, .valid)
        let bad = try await validity(h, verifyRequest(pub, nil, data: message, signature: Array(sig.reversed())))
        XCTAssertEqual(bad, .invalid)
    }

    func testDigestedDataWithNoHashNamedAndParametersOfAnotherKeyKind() async throws {
        let h = try await EngineHarness.make()
        let rsaOnly = { () -> CryptographicParameters in var p = CryptographicParameters(); p.cryptographicAlgorithm = .rsa; return p }()
        // RSA, no hash named: Digested Data is padded as given (here a DigestInfo), which equals
        // the PKCS#1 v1.5 SHA-256 signature of the message.
        let (priv, pub) = try await h.registerPair(Self.rsa)
        let message = Array("raw".utf8)
        let digestInfo = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]
            + (try DigestAlgorithm(.sha256).hash(message))
        let raw = try unwrapAwaited(try await h.succeed(.sign, signRequest(priv, rsaOnly, digest: digestInfo), SignResponsePayload.self).signatureData).bytes
        let v = try await validity(h, verifyRequest(pub, params(.sha256, padding: .pkcs1V15), data: message, signature: raw))
        XCTAssertEqual(v, .valid)
        await h.fail(.sign, signRequest(priv, rsaOnly, data: message), .invalidField)
        // EC (secp256k1), no hash named: the digest is signed as given.
        let ec = try AsymmetricKey.generateEC(curve: .secp256k1)
        let (ecPriv, ecPub) = try await h.registerPair(ec)
        let digest = try DigestAlgorithm(.sha256).hash(message)
        let sig = try unwrapAwaited(try await h.succeed(.sign, signRequest(ecPriv, nil, digest: digest), SignResponsePayload.self).signatureData).bytes
        let ecValid = try await validity(h, verifyRequest(ecPub, params(.sha256), data: message, signature: sig))
        XCTAssertEqual(ecValid, .valid)
        // Parameters naming RSA for an EC key: no such signature is this key's → Invalid, not an error.
        var pss = params(.sha256, padding: .pss)
        pss.cryptographicAlgorithm = .rsa
        let mismatched = try await validity(h, verifyRequest(ecPub, pss, data: message, signature: sig))
        XCTAssertEqual(mismatched, .invalid)
    }

    func testStreamingEqualsOneShot() async throws {
        let h = try await EngineHarness.make()
        let (priv, pub) = try await h.registerPair(Self.rsa)
        let p = params(.sha512, padding: .pkcs1V15)
        let parts: [[UInt8]] = [[1, 2], [3, 4, 5, 6, 7, 8, 9, 10], [], [11, 12, 13]]
        let whole = parts.flatMap { $0 }
        let oneShot = try unwrapAwaited(try await h.succeed(.sign, signRequest(priv, p, data: whole), SignResponsePayload.self).signatureData)

        var first = signRequest(priv, p, data: parts[0]); first.initIndicator = true
        let opened = try await h.succeed(.sign, first, SignResponsePayload.self)
        XCTAssertNil(opened.signatureData)
        let correlation = try XCTUnwrap(opened.correlationValue)
        for part in parts[1..<3] {
            var next = signRequest(priv, nil, data: part); next.correlationValue = correlation
            let r = try await h.succeed(.sign, next, SignResponsePayload.self)
            XCTAssertEqual(r.uniqueIdentifier, priv)
            XCTAssertNil(r.signatureData)
        }
        var last = signRequest(priv, nil, data: parts[3]); last.correlationValue = correlation; last.finalIndicator = true
        let streamed = try await h.succeed(.sign, last, SignResponsePayload.self)
        XCTAssertEqual(streamed.signatureData, oneShot)
        // The stream is closed.
        await h.fail(.sign, last, .itemNotFound)

        // Verify, signature with the first part.
        var v0 = verifyRequest(pub, p, data: parts[0], signature: oneShot.bytes); v0.initIndicator = true
        let vc = try unwrapAwaited(try await h.succeed(.signatureVerify, v0, SignatureVerifyResponsePayload.self).correlationValue)
        var v1 = verifyRequest(nil, nil, data: Array(whole.dropFirst(2)), signature: nil); v1.correlationValue = vc; v1.finalIndicator = true
        let valid = try await validity(h, v1)
        XCTAssertEqual(valid, .valid)
        // Signature with the last part; altered data.
        var w0 = verifyRequest(pub, p, data: parts[0], signature: nil); w0.initIndicator = true
        let wc = try unwrapAwaited(try await h.succeed(.signatureVerify, w0, SignatureVerifyResponsePayload.self).correlationValue)
        var w1 = verifyRequest(nil, nil, data: [0], signature: oneShot.bytes); w1.correlationValue = wc; w1.finalIndicator = true
        let invalid = try await validity(h, w1)
        XCTAssertEqual(invalid, .invalid)
    }

    func testPSSVerifyAcceptsAnySaltAndLegacyHashesVerifyOnly() async throws {
        let h = try await EngineHarness.make()
        let (_, pub) = try await h.registerPair(Self.rsa)
        let message = Array("salted".utf8)
        let p = params(.sha256, padding: .pss)
        // A signature with the maximum salt (not the digest length): valid when no Salt Length is named.
        let maxSalt = try Self.rsa.sign(message, scheme: .rsaPSS(.sha256, saltLength: .maximum))
        let v = try await validity(h, verifyRequest(pub, p, data: message, signature: maxSalt))
        XCTAssertEqual(v, .valid)
        var p32 = p; p32.saltLength = 32
        let strict = try await validity(h, verifyRequest(pub, p32, data: message, signature: maxSalt))
        XCTAssertEqual(strict, .invalid)
        // SHA-1 is verified (legacy), answering Invalid for a SHA-256 signature, never an error.
        let sha256Sig = try Self.rsa.sign(message, scheme: .rsaPSS(.sha256))
        let sha1 = try await validity(h, verifyRequest(pub, params(.sha1, padding: .pss), data: message, signature: sha256Sig))
        XCTAssertEqual(sha1, .invalid)
    }

    func testAnotherClientCannotContinueAStream() async throws {
        let h = try await EngineHarness.make()
        let (priv, _) = try await h.registerPair(Self.rsa)
        var first = signRequest(priv, params(.sha256), data: [1]); first.initIndicator = true
        let correlation = try unwrapAwaited(try await h.succeed(.sign, first, SignResponsePayload.self).correlationValue)
        let other = try await h.makeClient(scope: "default", role: "other")
        var next = signRequest(nil, nil, data: [2]); next.correlationValue = correlation; next.finalIndicator = true
        await h.fail(.sign, next, .itemNotFound, as: other)
    }

    func testRefusals() async throws {
        let h = try await EngineHarness.make()
        let message: [UInt8] = [1, 2, 3]
        let p = params(.sha256)
        // Usage mask without Sign / Verify.
        let (privNoSign, pubNoVerify) = try await h.registerPair(Self.rsa, privateUsage: .decrypt, publicUsage: .encrypt)
        await h.fail(.sign, signRequest(privNoSign, p, data: message), .permissionDenied)
        await h.fail(.signatureVerify, verifyRequest(pubNoVerify, p, data: message, signature: [1]), .permissionDenied)
        // Pre-Active key.
        let (prePriv, prePub) = try await h.registerPair(Self.rsa, activate: false)
        await h.fail(.sign, signRequest(prePriv, p, data: message), .permissionDenied)
        await h.fail(.signatureVerify, verifyRequest(prePub, p, data: message, signature: [1]), .permissionDenied)
        // Wrong object types: a public key signs nothing, a private key verifies nothing, nor an AES key.
        let (priv, pub) = try await h.registerPair(Self.rsa, privateUsage: [.sign, .verify], publicUsage: [.sign, .verify])
        await h.fail(.sign, signRequest(pub, p, data: message), .invalidObjectType)
        await h.fail(.signatureVerify, verifyRequest(priv, p, data: message, signature: [1]), .invalidObjectType)
        let aes = try await h.createKey(attributes: [])
        await h.fail(.sign, signRequest(aes, p, data: message), .permissionDenied)
        // Refused hashes; parameters that do not fit the key.
        await h.fail(.sign, signRequest(priv, params(.sha1), data: message), .cryptographicFailure)
        await h.fail(.sign, signRequest(priv, params(dsa: .ecdsaWithSHA256), data: message), .invalidField)
        await h.fail(.sign, signRequest(priv, CryptographicParameters(), data: message), .invalidField)
        await h.fail(.sign, signRequest("no-such-key", p, data: message), .itemNotFound)
    }
}


/// XCTUnwrap for values computed with `await` (XCTUnwrap's autoclosure cannot await).
fileprivate func unwrapAwaited<T>(_ value: T?, file: StaticString = #filePath, line: UInt = #line) throws -> T {
    try XCTUnwrap(value, file: file, line: line)
}
