import Foundation
import KMIP
import KMIPPKI
import XCTest
@testable import KMIPEngine

/// Validate with chains made by the mount's own CA code (root → intermediate → client leaf).
final class ValidateHandlerTests: XCTestCase {
    static let issued = Date(timeIntervalSince1970: 1_700_000_000)

    struct Chain { let leaf, intermediate, root: [UInt8] }

    func makeChain() throws -> Chain {
        let ca = try KMIPCA.generate(now: Self.issued)
        let credential = try ca.issueClientCredential(scopeID: "s", roleID: "r", keySpec: .defaultEC, ttl: 3600, now: Self.issued)
        return Chain(leaf: try Self.der(credential.certificatePEM), intermediate: try ca.intermediateCertificateDER(),
                     root: try ca.rootCertificateDER())
    }

    static func der(_ pem: String) throws -> [UInt8] {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return [UInt8](try XCTUnwrap(Data(base64Encoded: body)))
    }

    func validate(_ h: EngineHarness, _ certificates: [[UInt8]], ids: [String] = [], at date: Date = issued.addingTimeInterval(60),
                  file: StaticString = #filePath, line: UInt = #line) async throws -> ValidityIndicator {
        var r = ValidateRequestPayload()
        r.certificates = certificates.map { KMIP.Certificate(.x509, ByteString($0)) }
        r.uniqueIdentifiers = ids
        r.validityDate = DateTime(secondsSince1970: Int64(date.timeIntervalSince1970))
        return try await h.succeed(.validate, r, ValidateResponsePayload.self, file: file, line: line).validityIndicator
    }

    func testACompleteChainInAnyOrderIsValidWithinItsValidity() async throws {
        let h = try await EngineHarness.make()
        let c = try makeChain()
        let result = try await validate(h, [c.root, c.leaf, c.intermediate])
        XCTAssertEqual(result, .valid)
        let rootOnly = try await validate(h, [c.root])
        XCTAssertEqual(rootOnly, .valid, "a self-signed root alone is its own chain")
        let expired = try await validate(h, [c.leaf, c.intermediate, c.root], at: Self.issued.addingTimeInterval(7200))
        XCTAssertEqual(expired, .invalid, "the leaf expired after an hour")
    }

    func testBrokenIncompleteOrUnanchoredChains() async throws {
        let h = try await EngineHarness.make()
        let c = try makeChain()
        let other = try makeChain()
        let unanchored = try await validate(h, [c.leaf, c.intermediate])
        XCTAssertEqual(unanchored, .unknown, "no root to anchor the path")
        let gap = try await validate(h, [c.leaf, c.root])
        XCTAssertEqual(gap, .invalid, "the intermediate is missing")
        let foreignRoot = try await validate(h, [c.leaf, c.intermediate, other.root])
        XCTAssertEqual(foreignRoot, .invalid)
        let extra = try await validate(h, [c.leaf, c.intermediate, c.root, other.root])
        XCTAssertEqual(extra, .invalid, "a certificate off the path is not part of one chain")
        var tampered = c.leaf
        tampered[tampered.count - 1] ^= 0x01   // inside the signature
        let forged = try await validate(h, [tampered, c.intermediate, c.root])
        XCTAssertEqual(forged, .invalid)
    }

    func testCertificatesNamedByUniqueIdentifier() async throws {
        let h = try await EngineHarness.make()
        let c = try makeChain()
        var register = RegisterRequestPayload()
        register.objectType = .certificate
        register.object = .certificate(KMIP.Certificate(.x509, ByteString(c.intermediate)))
        let id = try await h.succeed(.register, register, RegisterResponsePayload.self).uniqueIdentifier
        let result = try await validate(h, [c.leaf, c.root], ids: [id])
        XCTAssertEqual(result, .valid)
        let key = try await h.createKey()
        var r = ValidateRequestPayload(); r.uniqueIdentifiers = [key]
        await h.fail(.validate, r, .invalidObjectType)
    }

    func testRefusals() async throws {
        let h = try await EngineHarness.make()
        await h.fail(.validate, ValidateRequestPayload(), .missingData)
        var garbage = ValidateRequestPayload(); garbage.certificates = [KMIP.Certificate(.x509, ByteString([0x30, 0x03, 1, 2, 3]))]
        await h.fail(.validate, garbage, .invalidField)
        let c = try makeChain()
        var many = ValidateRequestPayload()
        many.certificates = Array(repeating: KMIP.Certificate(.x509, ByteString(c.root)), count: KMIPEngine.maxValidatedChainLength + 1)
        await h.fail(.validate, many, .invalidField)
        var pgp = ValidateRequestPayload(); pgp.certificates = [KMIP.Certificate(.pgp, ByteString(c.root))]
        await h.fail(.validate, pgp, .invalidField)
    }

    func testOnlyOperationAllAllowsValidate() async throws {
        let h = try await EngineHarness.make()
        let c = try makeChain()
        let everyFlag = Set(RoleOperationFlags.flags.map(\.operation))
        XCTAssertFalse(everyFlag.contains(.validate), "Vault has no operation_validate flag")
        let limited = try await h.makeClient(scope: "default", role: "flags", all: false, operations: everyFlag)
        var r = ValidateRequestPayload(); r.certificates = [KMIP.Certificate(.x509, ByteString(c.root))]
        await h.fail(.validate, r, .permissionDenied, as: limited)
    }
}
