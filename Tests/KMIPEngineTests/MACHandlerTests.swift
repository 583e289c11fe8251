import Foundation
import KMIP
import KMIPCrypto
import XCTest
@testable import KMIPEngine

final class MACHandlerTests: XCTestCase {
    // RFC 4231 test case 2.
    static let key = Array("Jefe".utf8)
    static let data = Array("what do ya want for nothing?".utf8)
    static let sha256MAC = hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    static let sha512MAC = hex("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")

    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []; var i = s.startIndex
        while i < s.endIndex { let j = s.index(i, offsetBy: 2); out.append(UInt8(s[i..<j], radix: 16)!); i = j }
        return out
    }

    func registerHMACKey(_ h: EngineHarness, algorithm: CryptographicAlgorithm = .hmacSHA256,
                         usage: CryptographicUsageMask? = [.macGenerate, .macVerify], activate: Bool = true,
                         attributes: [Attribute] = []) async throws -> String {
        let object = ManagedObject.symmetricKey(SymmetricKey(KeyBlock(
            keyFormatType: .raw, keyMaterial: .byteString(ByteString(Self.key)), cryptographicAlgorithm: algorithm,
            cryptographicLength: Int32(Self.key.count * 8))))
        return try await h.registerKey(object, usage: usage, attributes: attributes, activate: activate)
    }

    func macRequest(_ id: String?, _ p: CryptographicParameters? = nil, data: [UInt8]?) -> MACRequestPayload {
        var r = MACRequestPayload(); r.uniqueIdentifier = id; r.cryptographicParameters = p; r.data = data.map(ByteString.init); return r
    }

    func verifyRequest(_ id: String?, _ p: CryptographicParameters? = nil, data: [UInt8]?, mac: [UInt8]?) -> MACVerifyRequestPayload {
        var r = MACVerifyRequestPayload(); r.uniqueIdentifier = id; r.cryptographicParameters = p
        r.data = data.map(ByteString.init); r.macData = mac.map(ByteString.init); return r
    }

    func testMACWithTheKeysAlgorithmAndRFC4231Vectors() async throws {
        let h = try await EngineHarness.make()
        let id = try await registerHMACKey(h)
        let r = try await h.succeed(.mac, macRequest(id, data: Self.data), MACResponsePayload.self)
        XCTAssertEqual(r.uniqueIdentifier, id)
        XCTAssertEqual(r.macData?.bytes, Self.sha256MAC)
        let v = try await h.succeed(.macVerify, verifyRequest(id, data: Self.data, mac: Self.sha256MAC), MACVerifyResponsePayload.self)
        XCTAssertEqual(v.validityIndicator, .valid)
        var wrong = Self.sha256MAC; wrong[0] ^= 1
        let bad = try await h.succeed(.macVerify, verifyRequest(id, data: Self.data, mac: wrong), MACVerifyResponsePayload.self)
        XCTAssertEqual(bad.validityIndicator, .invalid)
        let id512 = try await registerHMACKey(h, algorithm: .hmacSHA512)
        let r512 = try await h.succeed(.mac, macRequest(id512, data: Self.data), MACResponsePayload.self)
        XCTAssertEqual(r512.macData?.bytes, Self.sha512MAC)
    }

    func testEveryHashOfTheSetMatchesKMIPCrypto() async throws {
        let h = try await EngineHarness.make()
        let id = try await registerHMACKey(h, algorithm: .aes)
        for hash in [HashingAlgorithm.sha224, .sha256, .sha384, .sha512, .ripemd160, .sha512224, .sha512256, .sha3224, .sha3256, .sha3384, .sha3512] {
            var p = CryptographicParameters(); p.hashingAlgorithm = hash
            let r = try await h.succeed(.mac, macRequest(id, p, data: Self.data), MACResponsePayload.self)
            let expected = try HMAC(hash, key: SecretBytes(Self.key)).mac(Self.data)
            XCTAssertEqual(r.macData?.bytes, expected, "\(hash)")
            let v = try await h.succeed(.macVerify, verifyRequest(id, p, data: Self.data, mac: expected), MACVerifyResponsePayload.self)
            XCTAssertEqual(v.validityIndicator, .valid)
        }
    }

    func testWeakHashesAreRefused() async throws {
        let h = try await EngineHarness.make()
        let aes = try await registerHMACKey(h, algorithm: .aes)
        for hash in [HashingAlgorithm.md4, .md5, .sha1] {
            var p = CryptographicParameters(); p.hashingAlgorithm = hash
            let item = await h.one(.mac, macRequest(aes, p, data: Self.data))
            XCTAssertEqual(item.resultReason, .cryptographicFailure)
            XCTAssertTrue(item.resultMessage?.contains("refused by policy") == true, item.resultMessage ?? "")
            await h.fail(.macVerify, verifyRequest(aes, p, data: Self.data, mac: [1]), .cryptographicFailure)
        }
        let sha1Key = try await registerHMACKey(h, algorithm: .hmacSHA1)
        await h.fail(.mac, macRequest(sha1Key, data: Self.data), .cryptographicFailure)
        let md5Key = try await registerHMACKey(h, algorithm: .hmacMD5)
        await h.fail(.mac, macRequest(md5Key, data: Self.data), .cryptographicFailure)
    }

    func testStreamingEqualsOneShot() async throws {
        let h = try await EngineHarness.make()
        let id = try await registerHMACKey(h)
        var first = macRequest(id, data: Array(Self.data[0..<5])); first.initIndicator = true
        let opened = try await h.succeed(.mac, first, MACResponsePayload.self)
        XCTAssertNil(opened.macData)
        let c = try XCTUnwrap(opened.correlationValue)
        var mid = macRequest(nil, data: Array(Self.data[5..<20])); mid.correlationValue = c
        let m = try await h.succeed(.mac, mid, MACResponsePayload.self)
        XCTAssertEqual(m.uniqueIdentifier, id)
        var last = macRequest(nil, data: Array(Self.data[20...])); last.correlationValue = c; last.finalIndicator = true
        let r = try await h.succeed(.mac, last, MACResponsePayload.self)
        XCTAssertEqual(r.macData?.bytes, Self.sha256MAC)
        await h.fail(.mac, last, .itemNotFound)

        var v0 = verifyRequest(id, data: Array(Self.data[0..<3]), mac: Self.sha256MAC); v0.initIndicator = true
        let vc = try unwrapAwaited(try await h.succeed(.macVerify, v0, MACVerifyResponsePayload.self).correlationValue)
        var v1 = verifyRequest(nil, data: Array(Self.data[3...]), mac: nil); v1.correlationValue = vc; v1.finalIndicator = true
        let v = try await h.succeed(.macVerify, v1, MACVerifyResponsePayload.self)
        XCTAssertEqual(v.validityIndicator, .valid)
        // A MAC stream is not a MAC Verify stream.
        var mixed = verifyRequest(nil, data: [], mac: Self.sha256MAC); mixed.correlationValue = c; mixed.finalIndicator = true
        await h.fail(.macVerify, mixed, .itemNotFound)
    }

    func testRefusals() async throws {
        let h = try await EngineHarness.make()
        let noUsage = try await registerHMACKey(h, usage: [.encrypt])
        await h.fail(.mac, macRequest(noUsage, data: Self.data), .permissionDenied)
        await h.fail(.macVerify, verifyRequest(noUsage, data: Self.data, mac: Self.sha256MAC), .permissionDenied)
        let onlyVerify = try await registerHMACKey(h, usage: [.macVerify])
        await h.fail(.mac, macRequest(onlyVerify, data: Self.data), .permissionDenied)
        let preActive = try await registerHMACKey(h, activate: false)
        await h.fail(.mac, macRequest(preActive, data: Self.data), .permissionDenied)
        let secret = try await h.registerSecret(attributes: [])
        await h.fail(.mac, macRequest(secret, data: Self.data), .permissionDenied)
        // An AES key and no Hashing Algorithm.
        let aes = try await registerHMACKey(h, algorithm: .aes)
        await h.fail(.mac, macRequest(aes, data: Self.data), .invalidField)
        // A Hashing Algorithm contradicting the key's HMAC algorithm.
        let id = try await registerHMACKey(h)
        var p = CryptographicParameters(); p.hashingAlgorithm = .sha512
        await h.fail(.mac, macRequest(id, p, data: Self.data), .invalidField)
        await h.fail(.mac, macRequest(id, data: nil), .missingData)
    }

    func testWrongObjectType() async throws {
        let h = try await EngineHarness.make()
        let (priv, _) = try await h.registerPair(SignHandlerTests.rsa, privateUsage: [.macGenerate], publicUsage: [.macVerify])
        await h.fail(.mac, macRequest(priv, data: Self.data), .invalidObjectType)
    }
}

/// XCTUnwrap for values computed with `await` (XCTUnwrap's autoclosure cannot await).
fileprivate func unwrapAwaited<T>(_ value: T?, file: StaticString = #filePath, line: UInt = #line) throws -> T {
    try XCTUnwrap(value, file: file, line: line)
}
