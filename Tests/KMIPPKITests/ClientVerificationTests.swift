import Foundation
import X509
import XCTest
@testable import KMIPPKI

final class ClientVerificationTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_750_000_000)

    func verify(_ ca: KMIPCA, _ cert: Certificate, intermediates: [Certificate] = [], at time: Date, revoked: Set<String> = [])
        async throws -> ClientIdentity
    {
        try await ca.verifyClient(
            leafDER: try PKITestSupport.der(cert), intermediatesDER: try intermediates.map(PKITestSupport.der),
            now: time, isRevoked: { revoked.contains($0) })
    }

    func assertRejected(_ kind: PKIError.Kind, messageContains: String? = nil, _ body: () async throws -> ClientIdentity, line: UInt = #line) async {
        do {
            let identity = try await body()
            XCTFail("accepted \(identity)", line: line)
        } catch let error as PKIError {
            XCTAssertEqual(error.kind, kind, "\(error)", line: line)
            if let messageContains { XCTAssertTrue(error.message.contains(messageContains), error.message, line: line) }
        } catch {
            XCTFail("unexpected \(error)", line: line)
        }
    }

    func testGoodCertificate() async throws {
        let ca = try KMIPCA.generate(now: now)
        let cred = try ca.issueClientCredential(scopeID: "ilV63", roleID: "2FyVN", keySpec: .defaultEC, ttl: 3600, now: now)
        let identity = try await verify(ca, cred.certificate, at: now + 60)
        XCTAssertEqual(identity, ClientIdentity(scopeID: "ilV63", roleID: "2FyVN", serialNumber: cred.serialNumber))
        // With the intermediate presented too.
        let again = try await verify(ca, cred.certificate, intermediates: [ca.intermediate], at: now + 60)
        XCTAssertEqual(again, identity)
        // Backdating: valid 10 s before issue.
        _ = try await verify(ca, cred.certificate, at: now - 10)
    }

    func testExpiredAndNotYetValid() async throws {
        let ca = try KMIPCA.generate(now: now)
        let cred = try ca.issueClientCredential(scopeID: "s", roleID: "r", keySpec: .defaultEC, ttl: 3600, now: now)
        await assertRejected(.verificationFailed, messageContains: "expired") {
            try await self.verify(ca, cred.certificate, at: self.now + 3601)
        }
        await assertRejected(.verificationFailed, messageContains: "not yet valid") {
            try await self.verify(ca, cred.certificate, at: self.now - 31)
        }
    }

    func testForeignCA() async throws {
        let ca = try KMIPCA.generate(now: now)
        let foreign = try KMIPCA.generate(now: now)  // same names, different keys
        let cred = try foreign.issueClientCredential(scopeID: "s", roleID: "r", keySpec: .defaultEC, ttl: 3600, now: now)
        await assertRejected(.verificationFailed) { try await self.verify(ca, cred.certificate, at: self.now + 60) }
        await assertRejected(.verificationFailed) {
            try await self.verify(ca, cred.certificate, intermediates: [foreign.intermediate, foreign.root], at: self.now + 60)
        }
        // Sanity: the foreign CA itself accepts it.
        _ = try await verify(foreign, cred.certificate, at: now + 60)
    }

    func testRevoked() async throws {
        let ca = try KMIPCA.generate(now: now)
        let cred = try ca.issueClientCredential(scopeID: "s", roleID: "r", keySpec: .defaultEC, ttl: 3600, now: now)
        let other = try ca.issueClientCredential(scopeID: "s", roleID: "r", keySpec: .defaultEC, ttl: 3600, now: now)
        await assertRejected(.revoked) { try await self.verify(ca, cred.certificate, at: self.now, revoked: [cred.serialNumber]) }
        _ = try await verify(ca, other.certificate, at: now, revoked: [cred.serialNumber])
    }

    func testServerCertificateIsNotAClientCertificate() async throws {
        let ca = try KMIPCA.generate(now: now)
        let server = try ca.issueServerCertificate(hostnames: ["localhost"], now: now)
        await assertRejected(.verificationFailed, messageContains: "clientAuth") {
            try await self.verify(ca, server.certificate, at: self.now + 60)
        }
        // A serverAuth-only leaf carrying a well-formed OU/CN subject is refused for its EKU too.
        let serverLike = try ca.signLeaf(
            publicKey: server.certificate.publicKey,
            subject: try CertificateProfile.clientSubject(scopeID: "s", roleID: "r"),
            ttl: 3600, now: now,
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true, keyAgreement: true))
                try ExtendedKeyUsage([.serverAuth])
            })
        await assertRejected(.verificationFailed, messageContains: "clientAuth") {
            try await self.verify(ca, serverLike, at: self.now + 60)
        }
        // Nor is the CA's own intermediate.
        await assertRejected(.verificationFailed) { try await self.verify(ca, ca.intermediate, at: self.now + 60) }
    }

    func testGarbageIsRejected() async throws {
        let ca = try KMIPCA.generate(now: now)
        await assertRejected(.verificationFailed) {
            try await ca.verifyClient(leafDER: [0x30, 0x00], now: self.now, isRevoked: { _ in false })
        }
    }
}
