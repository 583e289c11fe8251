import Foundation
import KMIPStore
import KMIP
import XCTest
@testable import StrongroomAPI
import VaultFramework

/// ACL policies as Vault enforces them (`../shared/reference/vault-policies.md`): deny by default,
/// one winning rule per request, `sudo` where a path declares it, parameter rules, the policy API.
final class PolicyTests: XCTestCase {
    /// A token with `policies`, created by root.
    func token(_ h: APIHarness, _ policies: [String], noDefault: Bool = false) async throws -> String {
        var body: [String: VaultValue] = ["policies": .list(policies.map(VaultValue.string))]
        if noDefault { body["no_default_policy"] = true }
        let r = await h.expect(200, .write, "auth/token/create", body)
        return try XCTUnwrap(r.auth?["client_token"]?.stringValue)
    }

    func policy(_ h: APIHarness, _ name: String, _ text: String) async {
        await h.expect(204, .write, "sys/policies/acl/\(name)", ["policy": .string(text)])
    }

    /// The finding: a token made with `policies=["metrics"]` acted as root. Each of those requests
    /// (and two more a non-root token must not make) is now a 403 that changes nothing.
    func testATokenWithoutGrantsCanDoNoneOfWhatRootCan() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await h.scopeAndRole()
        await policy(h, "metrics", #"path "sys/metrics" { capabilities = ["read"] }"#)
        let t = try await token(h, ["metrics"])
        let attempts: [(APIOperation, String, [String: VaultValue])] = [
            (.write, "sys/audit/x", ["type": "file", "options": .object(["file_path": "/tmp/x"])]),
            (.write, "kmip/config", ["listen_addrs": "0.0.0.0:5697"]),
            (.write, "kmip/scope/s1/role/evil", ["operation_all": true]),
            (.delete, "sys/mounts/kmip", [:]),
            (.write, "sys/mounts/evil", ["type": "kmip"]),
            (.write, "sys/policies/acl/metrics", ["policy": #"path "*" { capabilities = ["sudo", "update", "create", "read", "delete", "list"] }"#]),
            (.read, "kmip/scope/s1/role/r1", [:]),
            (.list, "sys/policies/acl", [:]),
            // Vault 2.0's named CAs and listeners, and the client API.
            (.write, "kmip/ca/x/generate", ["key_type": "ec", "key_bits": 256]),
            (.write, "kmip/ca/x/import", ["ca_pem": "-----BEGIN CERTIFICATE-----", "scope_name": "s1", "role_name": "r1"]),
            (.write, "kmip/listener/x", ["ca": "x", "address": "127.0.0.1:5698"]),
            (.list, "kmip/ca", [:]),
            (.list, "kmip/listener", [:]),
            (.write, "kmip/scope/s1/role/r1/client/create", ["algorithm": "AES", "length": 256]),
            (.list, "kmip/template", [:]),
        ]
        for (op, path, body) in attempts {
            let r = await h.expect(403, op, path, body, token: t)
            XCTAssertEqual(r.errors, ["1 error occurred:\n\t* permission denied\n\n"], "\(op) \(path)")
        }
        // An unknown path is a 403 too: no probing of what exists.
        await h.expect(403, .read, "nothing/here", token: t)
        // Nothing changed.
        await h.expect(200, .read, "kmip/config")
        await h.expect(404, .read, "kmip/scope/s1/role/evil")
        await h.expect(200, .read, "sys/mounts/kmip")
        await h.expect(404, .read, "sys/mounts/evil")
        await h.expect(404, .read, "kmip/ca/x")
        await h.expect(404, .read, "kmip/listener/x")
        let text = await h.expect(200, .read, "sys/policies/acl/metrics").string("policy")
        XCTAssertEqual(text, #"path "sys/metrics" { capabilities = ["read"] }"#)
        // What `default` grants still works.
        await h.expect(200, .read, "auth/token/lookup-self", token: t)
        let caps = await h.expect(200, .write, "sys/capabilities-self", ["paths": ["sys/metrics", "kmip/config"]], token: t)
        XCTAssertEqual(caps.data?["sys/metrics"], ["read"])
        XCTAssertEqual(caps.data?["kmip/config"], ["deny"])
    }

    /// Vault's walkthrough with a token limited to `kmip/*`: it manages scopes, roles and
    /// credentials, and nothing else; without the grant the same calls are refused.
    func testAKMIPOperatorPolicyRunsTheWalkthroughAndNothingElse() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await policy(h, "kmip-admin", """
            # What a KMIP operator needs
            path "kmip/*" {
              capabilities = ["create", "read", "update", "delete", "list"]
            }
            """)
        let operator_ = try await token(h, ["kmip-admin"])
        await h.expect(204, .write, "kmip/scope/my-service", token: operator_)
        await h.expect(204, .write, "kmip/scope/my-service/role/admin", ["operation_all": true], token: operator_)
        let list = await h.expect(200, .list, "kmip/scope", token: operator_)
        XCTAssertEqual(list.keys, ["my-service"])
        await h.expect(200, .read, "kmip/scope/my-service/role/admin", token: operator_)
        await h.expect(200, .read, "kmip/ca", token: operator_)
        await h.expect(403, .write, "sys/mounts/other", ["type": "kmip"], token: operator_)
        await h.expect(403, .write, "auth/token/create", ["policies": ["root"]], token: operator_)

        let outsider = try await token(h, ["default"])
        await h.expect(403, .write, "kmip/scope/other", token: outsider)
        await h.expect(403, .list, "kmip/scope", token: outsider)
        await h.expect(403, .read, "kmip/scope/my-service/role/admin", token: outsider)
    }

    /// `create` is needed for something new, `update` for something that exists (the kmip paths
    /// have Vault's existence check); parameter rules of the winning rule apply.
    func testCreateVersusUpdateAndParameterConstraints() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await policy(h, "scoped", """
            path "kmip/scope/+" { capabilities = ["create"] }
            path "kmip/scope/+/role/*" {
              capabilities = ["create", "update", "read"]
              denied_parameters = { "operation_all" = [] }
              allowed_parameters = { "operation_get" = [true], "operation_locate" = [] }
            }
            """)
        let t = try await token(h, ["scoped"])
        await h.expect(204, .write, "kmip/scope/new", token: t)
        await h.expect(403, .write, "kmip/scope/new", token: t)   // exists now: update is needed
        await h.expect(403, .write, "kmip/scope/new/role/r", ["operation_all": true], token: t)
        await h.expect(403, .write, "kmip/scope/new/role/r", ["operation_get": false], token: t)
        await h.expect(403, .write, "kmip/scope/new/role/r", ["operation_destroy": true], token: t)
        await h.expect(204, .write, "kmip/scope/new/role/r", ["operation_get": true, "operation_locate": true], token: t)
        let role = await h.expect(200, .read, "kmip/scope/new/role/r", token: t)
        XCTAssertEqual(role.data?["operation_get"], true)
        XCTAssertNil(role.data?["operation_all"])
    }

    /// Root-protected paths need `sudo` from the winning rule, beside the operation's capability.
    func testSudoPathsNeedSudo() async throws {
        var paths = APIPaths.standard
        paths.register(APIPath("sys/raw/*path", scope: .system, sudo: [.read], help: "test",
                               operations: [.read: { _ in .data(["ok": true]) }]))
        let h = try await APIHarness.make(paths: paths)
        await policy(h, "reader", #"path "sys/raw/*" { capabilities = ["read"] }"#)
        await policy(h, "sudoer", #"path "sys/raw/*" { capabilities = ["read", "sudo"] }"#)
        await policy(h, "split", """
            path "sys/raw/*" { capabilities = ["read"] }
            path "sys/*" { capabilities = ["sudo"] }
            """)
        await h.expect(403, .read, "sys/raw/x", token: try await token(h, ["reader"]))
        await h.expect(403, .read, "sys/raw/x", token: try await token(h, ["split"]))   // sudo from another rule does not count
        await h.expect(200, .read, "sys/raw/x", token: try await token(h, ["sudoer"]))
        await h.expect(200, .read, "sys/raw/x")   // root
    }

    /// A carve-out cannot be walked around by spelling the path another way: empty or dot
    /// segments are refused, and a policy name is checked as it will be stored.
    func testDenyCarveOutsCannotBeBypassedBySpelling() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await policy(h, "mounts-but-kmip", """
            path "sys/mounts/*" { capabilities = ["create", "read", "update", "delete"] }
            path "sys/mounts/kmip" { capabilities = ["deny"] }
            path "sys/policy/*" { capabilities = ["create", "read", "update", "delete"] }
            path "sys/policy/default" { capabilities = ["deny"] }
            """)
        let t = try await token(h, ["mounts-but-kmip"])
        await h.expect(403, .delete, "sys/mounts/kmip", token: t)
        for spelling in ["sys/mounts//kmip", "sys/mounts/./kmip", "sys/mounts/x/../kmip"] {
            await h.expect(400, .delete, spelling, token: t)
        }
        await h.expect(200, .read, "sys/mounts/kmip")
        await h.expect(403, .write, "sys/policy/Default", ["policy": #"path "*" { capabilities = ["sudo", "update"] }"#], token: t)
        await h.expect(403, .write, "sys/policy/ default", ["policy": #"path "*" { capabilities = ["sudo", "update"] }"#], token: t)
        await h.expect(403, .delete, "sys/policy/DEFAULT", token: t)
        let text = await h.expect(200, .read, "sys/policy/default").string("rules")
        XCTAssertEqual(text, PolicyStore.defaultPolicyText)
        await h.expect(200, .write, "sys/policy/Mine", ["policy": #"path "a" { capabilities = ["read"] }"#], token: t)
    }

    /// A stored policy that no longer parses fails requests closed instead of dropping its denies.
    func testAStoredPolicyThatNoLongerParsesFailsClosed() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await policy(h, "broad", #"path "kmip/*" { capabilities = ["read"] }"#)
        await policy(h, "restrict", #"path "kmip/config" { capabilities = ["deny"] }"#)
        let t = try await token(h, ["broad", "restrict"])
        await h.expect(403, .read, "kmip/config", token: t)
        try await h.store.putPolicy(PolicyRecord(name: "restrict", text: "path \"kmip/config\" { capabilities = "))
        await h.expect(500, .read, "kmip/config", token: t)
    }

    func testPolicyAPI() async throws {
        let h = try await APIHarness.make()
        // Names are trimmed and lower-cased, with a warning.
        let written = await h.expect(200, .write, "sys/policy/My-Policy", ["policy": #"path "kmip/*" { capabilities = ["read"] }"#])
        XCTAssertEqual(written.warnings, ["policy name was converted to my-policy"])
        let read = await h.expect(200, .read, "sys/policy/my-policy")
        XCTAssertEqual(read.string("name"), "my-policy")
        XCTAssertEqual(read.string("rules"), #"path "kmip/*" { capabilities = ["read"] }"#)
        let legacy = await h.expect(200, .write, "sys/policy/legacy", ["rules": #"path "a" { policy = "read" }"#])
        XCTAssertEqual(legacy.warnings, ["'rules' is deprecated, please use 'policy' instead"])
        let list = await h.expect(200, .read, "sys/policy")
        XCTAssertEqual(list.keys, ["default", "legacy", "my-policy", "root"])
        XCTAssertEqual(list.data?["policies"], list.data?["keys"])
        let acl = await h.expect(200, .list, "sys/policies/acl")
        XCTAssertEqual(acl.keys, ["default", "legacy", "my-policy", "root"])
        // Base64 is decoded first.
        let encoded = Data(#"path "b" { capabilities = ["list"] }"#.utf8).base64EncodedString()
        await h.expect(204, .write, "sys/policies/acl/b64", ["policy": .string(encoded)])
        let decoded = await h.expect(200, .read, "sys/policies/acl/b64")
        XCTAssertEqual(decoded.string("policy"), #"path "b" { capabilities = ["list"] }"#)
        // Errors.
        let bad = await h.expect(400, .write, "sys/policies/acl/bad", ["policy": #"path "a" { capabilities = ["fly"] }"#])
        XCTAssertEqual(bad.errors, [#"failed to parse policy: path "a": invalid capability "fly""#])
        await h.expect(400, .write, "sys/policies/acl/empty", ["policy": ""])
        let root = await h.expect(400, .write, "sys/policies/acl/root", ["policy": #"path "a" { capabilities = ["read"] }"#])
        XCTAssertEqual(root.errors, [#"cannot update "root" policy"#])
        await h.expect(400, .delete, "sys/policies/acl/root")
        let def = await h.expect(400, .delete, "sys/policies/acl/default")
        XCTAssertEqual(def.errors, ["cannot delete default policy"])
        await h.expect(404, .read, "sys/policies/acl/missing")
        await h.expect(204, .delete, "sys/policies/acl/missing")   // idempotent
        await h.expect(204, .delete, "sys/policy/legacy")
        await h.expect(404, .read, "sys/policy/legacy")
        let rootText = await h.expect(200, .read, "sys/policies/acl/root")
        XCTAssertEqual(rootText.string("policy"), "")
    }

    /// A policy's edits apply from the next request; a deleted policy grants nothing.
    func testPolicyChangesApplyAtOnce() async throws {
        let h = try await APIHarness.make()
        try await h.kmipMount()
        await policy(h, "p", #"path "kmip/config" { capabilities = ["read"] }"#)
        let t = try await token(h, ["p"])
        await h.expect(200, .read, "kmip/config", token: t)
        await policy(h, "p", #"path "kmip/config" { capabilities = ["deny"] }"#)
        await h.expect(403, .read, "kmip/config", token: t)
        await policy(h, "p", #"path "kmip/config" { capabilities = ["read"] }"#)
        await h.expect(204, .delete, "sys/policies/acl/p")
        await h.expect(403, .read, "kmip/config", token: t)
    }

    /// Vault's token-creation rules (`resolveTokenPolicies`).
    func testTokenPoliciesAtCreation() async throws {
        let h = try await APIHarness.make()
        await policy(h, "a", #"path "a/*" { capabilities = ["read"] }"#)
        await policy(h, "b", #"path "b/*" { capabilities = ["read"] }"#)
        await policy(h, "creator", """
            path "auth/token/create" { capabilities = ["update"] }
            """)
        // Root: any policies, plus default; unknown names are accepted with a warning.
        let r = await h.expect(200, .write, "auth/token/create", ["policies": ["A", "creator", "ghost"]])
        XCTAssertEqual(r.auth?["policies"], ["a", "creator", "default", "ghost"])
        XCTAssertEqual(r.warnings, [#"Policy "ghost" does not exist"#])
        let creator = try XCTUnwrap(r.auth?["client_token"]?.stringValue)
        // Not sudo: a subset of the caller's, default added because the caller has it.
        let child = await h.expect(200, .write, "auth/token/create", ["policies": ["a"]], token: creator)
        XCTAssertEqual(child.auth?["policies"], ["a", "default"])
        let denied = await h.expect(400, .write, "auth/token/create", ["policies": ["b"]], token: creator)
        XCTAssertTrue(denied.errors.first?.hasPrefix("child policies must be subset of parent") == true)
        // No list: the caller's set; no_default_policy drops default.
        let inherit = await h.expect(200, .write, "auth/token/create", [:], token: creator)
        XCTAssertEqual(inherit.auth?["policies"], ["a", "creator", "default", "ghost"])
        let bare = await h.expect(200, .write, "auth/token/create", ["policies": ["a"], "no_default_policy": true], token: creator)
        XCTAssertEqual(bare.auth?["policies"], ["a"])
        // Root tokens only from root; orphans only with sudo.
        let rootChild = await h.expect(400, .write, "auth/token/create", ["policies": ["root"]], token: creator)
        XCTAssertEqual(rootChild.errors, ["root tokens may not be created without parent token being root"])
        let orphan = await h.expect(400, .write, "auth/token/create", ["no_parent": true], token: creator)
        XCTAssertEqual(orphan.errors, ["root or sudo privileges required to create orphan token"])
        let rootOrphan = await h.expect(200, .write, "auth/token/create", ["no_parent": true, "policies": ["a"]])
        XCTAssertEqual(rootOrphan.auth?["orphan"], true)
        // sudo on auth/token/create: any policies.
        await policy(h, "sudo-creator", #"path "auth/token/create" { capabilities = ["update", "sudo"] }"#)
        let sudoer = try await token(h, ["sudo-creator"])
        let any = await h.expect(200, .write, "auth/token/create", ["policies": ["b"]], token: sudoer)
        XCTAssertEqual(any.auth?["policies"], ["b", "default"])
    }

    /// A TTL is capped at Vault's system max (768h): a huge one from a token that never expires
    /// overflowed the expiry date and trapped the server.
    func testAHugeTTLIsCappedNotAnOverflow() async throws {
        let h = try await APIHarness.make()
        let r = await h.expect(200, .write, "auth/token/create", ["ttl": "2000000000000s", "policies": ["default"]])
        XCTAssertEqual(r.auth?["lease_duration"], .int(768 * 3600))
        XCTAssertTrue(r.warnings.first?.contains("capped") == true, "\(r.warnings)")
        let n = await h.expect(200, .write, "auth/token/create", ["ttl": .int(Int.max), "policies": ["default"]])
        XCTAssertEqual(n.auth?["lease_duration"], .int(768 * 3600))
    }

    func testCapabilitiesSelfAndOfAnotherToken() async throws {
        let h = try await APIHarness.make()
        await policy(h, "p", """
            path "kmip/*" { capabilities = ["read", "list"] }
            path "kmip/config" { capabilities = ["update", "read"] }
            path "sys/audit*" { capabilities = ["deny"] }
            """)
        let t = try await token(h, ["p"])
        let one = await h.expect(200, .write, "sys/capabilities-self", ["paths": "kmip/config"], token: t)
        XCTAssertEqual(one.data?["capabilities"], ["read", "update"])
        XCTAssertEqual(one.data?["kmip/config"], ["read", "update"])
        let many = await h.expect(200, .write, "sys/capabilities-self", ["paths": ["kmip/scope/x", "sys/audit/y", "other"]], token: t)
        XCTAssertEqual(many.data?["kmip/scope/x"], ["list", "read"])
        XCTAssertEqual(many.data?["sys/audit/y"], ["deny"])
        XCTAssertEqual(many.data?["other"], ["deny"])
        XCTAssertNil(many.data?["capabilities"])
        let root = await h.expect(200, .write, "sys/capabilities-self", ["paths": ["anything"]])
        XCTAssertEqual(root.data?["anything"], ["root"])
        let other = await h.expect(200, .write, "sys/capabilities", ["token": .string(t), "paths": ["kmip/config"]])
        XCTAssertEqual(other.data?["capabilities"], ["read", "update"])
        await h.expect(400, .write, "sys/capabilities", ["token": "nope", "paths": ["kmip/config"]])
        await h.expect(400, .write, "sys/capabilities-self", [:], token: t)
        // sys/capabilities is not in default.
        await h.expect(403, .write, "sys/capabilities", ["token": .string(t), "paths": ["kmip/config"]], token: t)
    }

    /// `sys/ha-status` (cluster stores only): the default policy does not grant it, so a token
    /// without `read` on it gets 403 and learns no node address; a token granted it reads the nodes.
    func testHAStatusNeedsItsGrant() async throws {
        var paths = APIPaths.standard
        let nodes = FixedNodes(list: [NodeRecord(id: "node1", apiAddress: "http://10.0.0.11:8200", version: "0.1.0",
                                                 startedAt: DateTime(secondsSince1970: 1), lastHeartbeat: DateTime(secondsSince1970: 2))])
        paths.register(SysHAStatusPath.path(nodes: nodes))
        let h = try await APIHarness.make(paths: paths)
        let weak = try await token(h, [])
        let refused = await h.expect(403, .read, "sys/ha-status", token: weak)
        XCTAssertFalse("\(refused.body)".contains("10.0.0.11"))
        await policy(h, "ha", #"path "sys/ha-status" { capabilities = ["read"] }"#)
        let granted = try await token(h, ["ha"])
        let r = await h.expect(200, .read, "sys/ha-status", token: granted)
        XCTAssertTrue("\(r.body)".contains("node1"))
    }
}

/// A node list that never changes.
struct FixedNodes: NodeStore {
    let list: [NodeRecord]
    func heartbeat(_ node: NodeRecord) async throws {}
    func nodes() async throws -> [NodeRecord] { list }
}
