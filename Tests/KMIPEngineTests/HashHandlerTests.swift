import Foundation
import KMIP
import KMIPCrypto
import XCTest
@testable import KMIPEngine

final class HashHandlerTests: XCTestCase {
    func hashRequest(_ alg: HashingAlgorithm?, data: [UInt8]?) -> HashRequestPayload {
        var r = HashRequestPayload(); r.cryptographicParameters.hashingAlgorithm = alg; r.data = data.map(ByteString.init); return r
    }

    func testOneShotKnownAnswerAndEveryAlgorithm() async throws {
        let h = try await EngineHarness.make()
        let abc = Array("abc".utf8)
        let r = try await h.succeed(.hash, hashRequest(.sha256, data: abc), HashResponsePayload.self)
        XCTAssertEqual(r.data?.bytes, MACHandlerTests.hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        for alg in [HashingAlgorithm.md5, .sha1, .sha224, .sha384, .sha512, .ripemd160, .sha512224, .sha512256, .sha3224, .sha3256, .sha3384, .sha3512] {
            let out = try await h.succeed(.hash, hashRequest(alg, data: abc), HashResponsePayload.self)
            XCTAssertEqual(out.data?.bytes, try DigestAlgorithm(alg).hash(abc), "\(alg)")
        }
    }

    func testStreamingEqualsOneShot() async throws {
        let h = try await EngineHarness.make()
        let data = Array(0..<200).map { UInt8($0) }
        let oneShot = try await h.succeed(.hash, hashRequest(.sha3256, data: data), HashResponsePayload.self).data
        var first = hashRequest(.sha3256, data: Array(data[0..<7])); first.initIndicator = true
        let opened = try await h.succeed(.hash, first, HashResponsePayload.self)
        XCTAssertNil(opened.data)
        let c = try XCTUnwrap(opened.correlationValue)
        var mid = hashRequest(nil, data: Array(data[7..<100])); mid.correlationValue = c
        let m = try await h.succeed(.hash, mid, HashResponsePayload.self)
        XCTAssertEqual(m.correlationValue, c)
        var last = hashRequest(nil, data: Array(data[100...])); last.correlationValue = c; last.finalIndicator = true
        let r = try await h.succeed(.hash, last, HashResponsePayload.self)
        XCTAssertEqual(r.data, oneShot)
        await h.fail(.hash, last, .itemNotFound)
    }

    func testRefusals() async throws {
        let h = try await EngineHarness.make()
        await h.fail(.hash, hashRequest(nil, data: [1]), .invalidField)
        await h.fail(.hash, hashRequest(.md4, data: [1]), .cryptographicFailure)
        await h.fail(.hash, hashRequest(.sha256, data: nil), .missingData)
        var orphan = hashRequest(.sha256, data: [1]); orphan.finalIndicator = true
        await h.fail(.hash, orphan, .invalidField)
        var unknown = hashRequest(nil, data: [1]); unknown.correlationValue = ByteString([1, 2, 3]); unknown.finalIndicator = true
        await h.fail(.hash, unknown, .itemNotFound)
    }
}
