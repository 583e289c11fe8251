import Foundation
import KMIP
import KMIPCrypto
import XCTest
@testable import KMIPEngine

final class RNGHandlerTests: XCTestCase {
    func retrieve(_ n: Int32) -> RNGRetrieveRequestPayload { var r = RNGRetrieveRequestPayload(); r.dataLength = n; return r }

    func testRetrieve() async throws {
        let h = try await EngineHarness.make()
        let a = try await h.succeed(.rngRetrieve, retrieve(32), RNGRetrieveResponsePayload.self)
        let b = try await h.succeed(.rngRetrieve, retrieve(32), RNGRetrieveResponsePayload.self)
        XCTAssertEqual(a.data.bytes.count, 32)
        XCTAssertNotEqual(a.data, b.data)
        let max = try await h.succeed(.rngRetrieve, retrieve(Int32(CryptoLimits.maxRNGCount)), RNGRetrieveResponsePayload.self)
        XCTAssertEqual(max.data.bytes.count, CryptoLimits.maxRNGCount)
        await h.fail(.rngRetrieve, retrieve(0), .invalidField)
        await h.fail(.rngRetrieve, retrieve(-1), .invalidField)
        await h.fail(.rngRetrieve, retrieve(Int32(CryptoLimits.maxRNGCount + 1)), .invalidField)
    }

    func testSeed() async throws {
        let h = try await EngineHarness.make()
        var s = RNGSeedRequestPayload(); s.data = ByteString(Array(repeating: 0x5a, count: 48))
        let r = try await h.succeed(.rngSeed, s, RNGSeedResponsePayload.self)
        XCTAssertEqual(r.dataLength, 48)
        // The DRBG still works (and is not replaced by the seed).
        let a = try await h.succeed(.rngRetrieve, retrieve(16), RNGRetrieveResponsePayload.self)
        XCTAssertNotEqual(a.data.bytes, Array(repeating: 0x5a, count: 16))
        s.data = ByteString([])
        await h.fail(.rngSeed, s, .invalidField)
        s.data = ByteString(Array(repeating: 1, count: CryptoLimits.maxRNGCount + 1))
        await h.fail(.rngSeed, s, .invalidField)
    }

    func testSinceOneTwo() async throws {
        let h = try await EngineHarness.make()
        let item = await h.one(.rngRetrieve, retrieve(8), version: .v1_2)
        XCTAssertEqual(item.resultStatus, .success)
    }
}
