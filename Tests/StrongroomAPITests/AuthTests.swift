import Crypto
import Foundation
import KMIPStore
import KMIPTestSupport
import XCTest
@testable import StrongroomAPI

final class TokenAuthTests: XCTestCase {
    static func token(_ r: APIResponse) -> String? { r.auth?["client_token"]?.stringValue }

    func testRootTokenIsCreatedOnceAndOnlyItsHashIsStored() async throws {
        let store = InMemoryStore()
        let auth = TokenAuth(store: store)
        let root = try await auth.bootstrapRootToken()
        XCTAssertNotNil(root)
        XCTAssertTrue(root!.hasPrefix("hvs."))
        XCTAssertGreaterThanOrEqual(root!.count, 28)
        let second = try await auth.bootstrapRootToken()
        XCTAssertNil(second, "a second start must not mint another root token")
        let tokens = try await store.tokens()
        XCTAssertEqual(tokens.count, 1)
        XCTAssertEqual(tokens[0].tokenHash, Array(SHA256.hash(data: Data(root!.utf8))))
        XCTAssertEqual(tokens[0].policies, ["root"])
        XCTAssertNil(tokens[0].expiresAt)
        let authenticated = try await auth.authenticate(root)
        XCTAssertEqual(authenticated?.accessor, tokens[0].accessor)
        let wrong = try await auth.authenticate(root! + "x")
        XCTAssertNil(wrong)
    }

    func testMissingBadAndExpiredTokensAreDenied() async throws {
        let h = try await APIHarness.make()
        for token: String? in [nil, "", "hvs.nope"] {
            let r = await h.call(.read, "auth/token/lookup-self", token: .some(token))
            XCTAssertEqual(r.status, 403)
            XCTAssertEqual(r.errors, ["permission denied"])
        }
        // Unknown paths need a token too.
        let unknown = await h.call(.read, "nope/thing", token: .some(nil))
        XCTAssertEqual(unknown.status, 403)
        let unknownWithToken = await h.call(.read, "nope/thing")
        XCTAssertEqual(unknownWithToken.status, 404)

        let created = await h.call(.write, "auth/token/create", ["ttl": "10s"])
        let child = try XCTUnwrap(created.auth?["client_token"]?.stringValue)
        await h.expect(200, .read, "auth/token/lookup-self", token: .some(child))
        h.clock.advance(11)
        await h.expect(403, .read, "auth/token/lookup-self", token: .some(child))
        await h.expect(200, .read, "auth/token/lookup-self")
    }

    func testHealthNeedsNoToken() async throws {
        let h = try await APIHarness.make()
        let r = await h.call(.read, "sys/health", token: .some(nil))
        XCTAssertEqual(r.status, 200)
        guard case .json(let body) = r.body else { return XCTFail("health is a bare JSON document") }
        XCTAssertEqual(body["initialized"], true)
        XCTAssertEqual(body["sealed"], false)
        XCTAssertEqual(body["standby"], false)
        XCTAssertEqual(body["performance_standby"], false)
        XCTAssertEqual(body["replication_dr_mode"], "disabled")
        XCTAssertEqual(body["replication_performance_mode"], "disabled")
        XCTAssertNotNil(body["server_time_utc"]?.intValue)
        XCTAssertNotNil(body["version"]?.stringValue)
        XCTAssertNotNil(body["cluster_name"]?.stringValue)
        XCTAssertNotNil(body["cluster_id"]?.stringValue)
        let seal = await h.expect(200, .read, "sys/seal-status", token: .some(nil))
        guard case .json(let status) = seal.body else { return XCTFail("seal-status is a bare JSON document") }
        XCTAssertEqual(status["sealed"], false)
        XCTAssertEqual(status["initialized"], true)
    }

    func testTokenCreateAuthBlockAndLookupSelf() async throws {
        let h = try await APIHarness.make()
        await h.expect(204, .write, "sys/policies/acl/a", ["policy": #"path "auth/token/create" { capabilities = ["update"] }"#])
        let r = await h.call(.write, "auth/token/create", ["ttl": "1h", "display_name": "ops", "policies": "a,b"])
        XCTAssertEqual(r.status, 200)
        let auth = try XCTUnwrap(r.auth)
        let token = try XCTUnwrap(auth["client_token"]?.stringValue)
        XCTAssertTrue(token.hasPrefix("hvs."))
        // A root caller's child gets `default` too (Vault's rule for sudo callers).
        XCTAssertEqual(auth["policies"], ["a", "b", "default"])
        XCTAssertEqual(auth["token_policies"], ["a", "b", "default"])
        XCTAssertEqual(auth["lease_duration"], 3600)
        XCTAssertEqual(auth["renewable"], false)
        XCTAssertNil(r.data)
        let accessor = try XCTUnwrap(auth["accessor"]?.stringValue)

        let look = await h.call(.read, "auth/token/lookup-self", token: .some(token))
        XCTAssertEqual(look.string("accessor"), accessor)
        XCTAssertEqual(look.string("display_name"), "token-ops")
        XCTAssertEqual(look.data?["policies"], ["a", "b", "default"])
        XCTAssertEqual(look.data?["ttl"], 3600)
        XCTAssertEqual(look.string("id"), token)
        // The parent is the caller.
        let rootAccessor = try await h.auth.authenticate(h.root)?.accessor
        let record = try await h.store.token(accessor: accessor)
        XCTAssertEqual(record?.parentAccessor, rootAccessor)

        // A non-root token cannot grant policies it lacks, and its children never outlive it.
        let escalate = await h.call(.write, "auth/token/create", ["policies": "root"], token: .some(token))
        XCTAssertEqual(escalate.status, 400)
        let sub = await h.call(.write, "auth/token/create", ["ttl": "5h", "policies": ["a"]], token: .some(token))
        XCTAssertEqual(sub.status, 200)
        XCTAssertEqual(sub.auth?["lease_duration"], 3600)
        // Without policies the child inherits the parent's.
        let inherit = await h.call(.write, "auth/token/create", [:], token: .some(token))
        XCTAssertEqual(inherit.auth?["policies"], ["a", "b", "default"])
    }

    func testLookupByTokenAndAccessor() async throws {
        let h = try await APIHarness.make()
        // Terraform sends empty durations: Vault reads them as unset.
        let created = await h.expect(200, .write, "auth/token/create", ["ttl": "2h", "explicit_max_ttl": "", "display_name": "tf", "policies": "p"])
        let token = try XCTUnwrap(Self.token(created))
        let accessor = try XCTUnwrap(created.auth?["accessor"]?.stringValue)
        let byToken = await h.expect(200, .write, "auth/token/lookup", ["token": .string(token)])
        XCTAssertEqual(byToken.string("accessor"), accessor)
        XCTAssertEqual(byToken.data?["ttl"], 7200)
        let byAccessor = await h.expect(200, .write, "auth/token/lookup-accessor", ["accessor": .string(accessor)])
        XCTAssertEqual(byAccessor.string("display_name"), "token-tf")
        XCTAssertEqual(byAccessor.data?["id"], .null, "an accessor never reveals the token")
        await h.expect(403, .write, "auth/token/lookup", ["token": "hvs.unknown"])
        await h.expect(400, .write, "auth/token/lookup-accessor", ["accessor": "unknown"])
        // A non-root token cannot look up the root token.
        let rootAccessor = try await h.auth.authenticate(h.root)?.accessor ?? ""
        await h.expect(403, .write, "auth/token/lookup-accessor", ["accessor": .string(rootAccessor)], token: .some(token))
        await h.expect(400, .write, "auth/token/create", ["ttl": "later"])
    }

    func testRevokeRevokesChildrenAndChecksOwnership() async throws {
        let h = try await APIHarness.make()
        await h.expect(204, .write, "sys/policies/acl/p", ["policy": """
            path "auth/token/create" { capabilities = ["update"] }
            path "auth/token/revoke" { capabilities = ["update"] }
            path "auth/token/revoke-accessor" { capabilities = ["update"] }
            """])
        let parentResponse = await h.call(.write, "auth/token/create", ["policies": "p"])
        let parent = try XCTUnwrap(Self.token(parentResponse))
        let childResponse = await h.call(.write, "auth/token/create", [:], token: .some(parent))
        let child = try XCTUnwrap(Self.token(childResponse))
        let otherResponse = await h.call(.write, "auth/token/create", ["policies": "p"])
        let other = try XCTUnwrap(otherResponse.auth)
        let otherToken = try XCTUnwrap(other["client_token"]?.stringValue)
        let otherAccessor = try XCTUnwrap(other["accessor"]?.stringValue)

        // A non-root token may not revoke an unrelated token.
        await h.expect(403, .write, "auth/token/revoke", ["token": .string(otherToken)], token: .some(parent))
        await h.expect(403, .write, "auth/token/revoke-accessor", ["accessor": .string(otherAccessor)],
                                    token: .some(parent))

        await h.expect(204, .write, "auth/token/revoke", ["token": .string(parent)])
        await h.expect(403, .read, "auth/token/lookup-self", token: .some(parent))
        await h.expect(403, .read, "auth/token/lookup-self", token: .some(child))

        await h.expect(204, .write, "auth/token/revoke-accessor", ["accessor": .string(otherAccessor)])
        await h.expect(403, .read, "auth/token/lookup-self", token: .some(otherToken))
        let invalid = await h.call(.write, "auth/token/revoke-accessor", ["accessor": "nope"])
        XCTAssertEqual(invalid.status, 400)
        XCTAssertEqual(invalid.errors, ["invalid accessor"])
        await h.expect(400, .write, "auth/token/revoke", [:])

        let selfTokenResponse = await h.call(.write, "auth/token/create", [:])
        let selfToken = try XCTUnwrap(Self.token(selfTokenResponse))
        await h.expect(204, .write, "auth/token/revoke-self", token: .some(selfToken))
        await h.expect(403, .read, "auth/token/lookup-self", token: .some(selfToken))
    }
}
