import XCTest
@testable import VaultPolicy
import VaultFramework

final class ACLPolicyTests: XCTestCase {
    // MARK: helpers

    private func acl(_ texts: String...) throws -> ACL {
        try ACL(policies: texts.enumerated().map { try ACLPolicy.parse(name: "p\($0.offset)", text: $0.element) })
    }

    private func parseError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            _ = try ACLPolicy.parse(name: "t", text: text)
            XCTFail("parsed without error", file: file, line: line)
            return nil
        } catch { return error.message }
    }

    private func allows(
        _ acl: ACL, _ op: ACLCapability, _ path: String, _ data: [String: VaultValue] = [:], sudo: Bool = false,
        wrap: Int? = nil
    ) -> Bool {
        if case .allowed = acl.authorize(ACLRequest(operation: op, path: path, data: data, sudoRequired: sudo, wrapTTL: wrap)) {
            return true
        }
        return false
    }

    // MARK: parsing (§1)

    func testParseErrorsHaveVaultsMessages() {
        let prefix = "failed to parse policy: "
        XCTAssertEqual(parseError(#"path "a" { capabilities = ["read" }"#),
                       prefix + "At 1:35: unexpected token while parsing list: RBRACE")
        XCTAssertEqual(parseError("[1]"), prefix + "does not contain a root object")
        XCTAssertEqual(parseError("foo = 1"), prefix + "1 error occurred:\n\t* invalid key \"foo\" on line 1\n\n")
        XCTAssertEqual(parseError("foo = 1\nbar = 2"),
                       prefix + "2 errors occurred:\n\t* invalid key \"foo\" on line 1\n\t* invalid key \"bar\" on line 2\n\n")
        XCTAssertEqual(parseError("path \"/\" {\n  capabilities = [\"read\"]\n  capabilites  = [\"read\"]\n}"),
                       prefix + "1 error occurred:\n\t* path \"/\": invalid key \"capabilites\" on line 3\n\n")
        XCTAssertEqual(parseError(#"path "/" { capabilities = ["read", "banana"] }"#),
                       prefix + #"path "/": invalid capability "banana""#)
        XCTAssertEqual(parseError(#"path "a" { capabilities = ["Read"] }"#), prefix + #"path "a": invalid capability "Read""#)
        XCTAssertEqual(parseError(#"path "/" { policy = "banana" }"#), prefix + #"path "/": invalid policy "banana""#)
        XCTAssertEqual(parseError(#"path "/foo/+*" { capabilities = ["read"] }"#),
                       prefix + #"path "foo/+*": invalid use of wildcards ('+*' is forbidden)"#)
        XCTAssertEqual(parseError(#"path "a" { min_wrapping_ttl = "abc" }"#),
                       prefix + #"error parsing min_wrapping_ttl: time: invalid duration "abc""#)
        XCTAssertEqual(parseError(#"path "a" { max_wrapping_ttl = "5x" }"#),
                       prefix + #"error parsing max_wrapping_ttl: time: unknown unit "x" in duration "5x""#)
        XCTAssertEqual(parseError(#"path "a" { max_wrapping_ttl = true }"#),
                       prefix + "error parsing max_wrapping_ttl: could not parse duration from input")
        XCTAssertEqual(parseError("path \"/\" {\n  policy = \"read\"\n  min_wrapping_ttl = 400\n  max_wrapping_ttl = 200\n}"),
                       prefix + "max_wrapping_ttl cannot be less than min_wrapping_ttl")
        XCTAssertEqual(parseError(#"path "a" { min_wrapping_ttl = "5m" max_wrapping_ttl = "90s" }"#),
                       prefix + "max_wrapping_ttl cannot be less than min_wrapping_ttl")
        XCTAssertEqual(parseError(#"path "secret/{{identity.entity.id" { capabilities = ["read"] }"#),
                       prefix + "failed to validate policy templating: unbalanced templating characters")
        XCTAssertEqual(parseError(#"path "a" { denied_parameters = { "*" = ["x"] } }"#),
                       prefix + #"path "a": denied_parameters: "*" may only be given an empty list"#)
        XCTAssertEqual(parseError("path \"a\" {\n  capabilities = [\"read\"]\n"),
                       prefix + "At 3:1: object expected closing RBRACE got: EOF")
        XCTAssertEqual(parseError(#"path "a" { capabilities = ["read\q"] }"#), prefix + "At 1:33: invalid escape sequence")
    }

    func testCapabilitiesDenyAndLegacyPolicy() throws {
        func caps(_ body: String) throws -> Set<ACLCapability> {
            try XCTUnwrap(ACLPolicy.parse(name: "t", text: "path \"a\" { \(body) }").rules.first).capabilities
        }
        XCTAssertEqual(try caps(#"capabilities = ["read", "deny", "update"]"#), [.deny])
        XCTAssertEqual(try caps(#"capabilities = ["deny", "bogus"]"#), [.deny], "Vault stops reading at deny")
        XCTAssertEqual(try caps(#"policy = "read""#), [.read, .list])
        XCTAssertEqual(try caps(#"policy = "write""#), [.create, .read, .update, .delete, .list])
        XCTAssertEqual(try caps(#"policy = "sudo""#), [.create, .read, .update, .delete, .list, .sudo])
        XCTAssertEqual(try caps(#"policy = "deny" capabilities = ["read"]"#), [.deny])
        XCTAssertEqual(try caps(#"policy = "deny" capabilities = ["bogus"]"#), [.deny], "legacy deny replaces the list")
        XCTAssertEqual(try caps(#"policy = "read" capabilities = ["update"]"#), [.read, .list, .update])
        XCTAssertEqual(try caps(#"capabilities = ["patch", "subscribe", "recover"]"#), [.patch, .subscribe, .recover])
        XCTAssertEqual(try caps(#"capabilities = []"#), [])
        let deny = try XCTUnwrap(ACLPolicy.parse(name: "t", text: #"""
            path "a" { capabilities = ["deny"] allowed_parameters = { "x" = [] } min_wrapping_ttl = "bogus" }
            """#).rules.first)
        XCTAssertEqual(deny, ACLPathRule(pattern: "a", capabilities: [.deny]))
    }

    func testRuleFieldsAndNormalisation() throws {
        let policy = try ACLPolicy.parse(name: "kmip-admin", text: #"""
            name = "ignored"
            path "/kmip/scope/+/role/*" {
              capabilities        = ["create", "read"]
              allowed_parameters  = { "Operation_All" = [], "tls_client_ttl" = [3600, "1h"] }
              denied_parameters   = { operation_none = [true] }
              required_parameters = ["Name"]
              min_wrapping_ttl    = "90s"
              max_wrapping_ttl    = "1h"
              comment             = "KMIP admins"
            }
            path "ttl-days" { capabilities = ["read"] max_wrapping_ttl = "2d" min_wrapping_ttl = 0 }
            """#)
        XCTAssertEqual(policy.name, "kmip-admin")
        XCTAssertEqual(policy.rules, [
            ACLPathRule(
                pattern: "kmip/scope/+/role/*", capabilities: [.create, .read],
                allowedParameters: ["operation_all": [], "tls_client_ttl": [3600, "1h"]],
                deniedParameters: ["operation_none": [true]], requiredParameters: ["Name"],
                minWrappingTTL: 90, maxWrappingTTL: 3600),
            ACLPathRule(pattern: "ttl-days", capabilities: [.read], maxWrappingTTL: 172_800),
        ])
        XCTAssertTrue(policy.rules[0].hasSegmentWildcards)
        XCTAssertFalse(policy.rules[0].isPrefix)
        XCTAssertTrue(ACLPathRule(pattern: "kmip/*", capabilities: []).isPrefix)
    }

    func testHCLAndJSONFormsGiveTheSameRules() throws {
        let hcl = try ACLPolicy.parse(name: "p", text: #"""
            path "kmip/scope/+/role/*" {
              capabilities = ["create", "read", "update", "list"]
              denied_parameters = { "operation_all" = [] }
            }
            path "kmip/config" { capabilities = ["read"] }
            path "sys/audit*"  { capabilities = ["deny"] }
            """#)
        let json = try ACLPolicy.parse(name: "p", text: #"""
            {"path": {"kmip/scope/+/role/*": {"capabilities": ["create","read","update","list"],
                                              "denied_parameters": {"operation_all": []}},
                      "kmip/config": {"capabilities": ["read"]},
                      "sys/audit*": {"capabilities": ["deny"]}}}
            """#)
        let jsonList = try ACLPolicy.parse(name: "p", text: #"""
            {"path": [{"kmip/scope/+/role/*": {"capabilities": ["create","read","update","list"],
                                               "denied_parameters": {"operation_all": []}}},
                      {"kmip/config": {"capabilities": ["read"]}, "sys/audit*": {"capabilities": ["deny"]}}]}
            """#)
        let objectForm = try ACLPolicy.parse(name: "p", text: #"""
            path = {
              "kmip/scope/+/role/*" = {
                capabilities = ["create", "read", "update", "list"]
                denied_parameters = { "operation_all" = [] }
              }
              "kmip/config" = { capabilities = ["read"] }
            }
            path "sys/audit*" = { capabilities = ["deny"] }
            """#)
        XCTAssertEqual(hcl.rules.count, 3)
        XCTAssertEqual(json, hcl)
        XCTAssertEqual(jsonList, hcl)
        XCTAssertEqual(objectForm, hcl)
        XCTAssertEqual(
            parseError(#"{"path": {"a": {"capabilities": ["read"], "bogus": 1}}}"#),
            "failed to parse policy: 1 error occurred:\n\t* path \"a\": invalid key \"bogus\" on line 1\n\n")
    }

    func testCommentsHeredocsAndEscapes() throws {
        let policy = try ACLPolicy.parse(name: "p", text: """
            # hash comment
            // slash comment
            /* block
               comment */
            path "a" { # trailing
              capabilities = [
                "read", // first
                "list",
              ]
              allowed_parameters = {
                "motd" = [<<EOF
            hello
            EOF
                , <<-EOT
                  indented
                    more
                  EOT
                ]
                "quote" = ["say \\"hi\\"\\t\\u00e9"]
              }
            }
            """)
        let rule = try XCTUnwrap(policy.rules.first)
        XCTAssertEqual(rule.capabilities, [.read, .list])
        XCTAssertEqual(rule.allowedParameters["motd"], ["hello\n", "indented\n  more\n"])
        XCTAssertEqual(rule.allowedParameters["quote"], ["say \"hi\"\té"])
    }

    func testTemplatedPathsAreValidatedButNeverApply() throws {
        let policy = try ACLPolicy.parse(name: "p", text: #"""
            path "secret/{{identity.entity.id}}/*" { capabilities = ["read"] }
            path "secret/shared" { capabilities = ["read"] }
            """#)
        XCTAssertEqual(policy.rules.map(\.pattern), ["secret/shared"])
    }

    // MARK: matching (§2)

    func testExactRuleWinsAndDenyOnlyOnIdenticalPattern() throws {
        let a = try acl(#"path "kmip/*" { capabilities = ["deny"] }"#, #"path "kmip/config" { capabilities = ["read"] }"#)
        XCTAssertTrue(allows(a, .read, "kmip/config"))
        XCTAssertFalse(allows(a, .read, "kmip/other"))
        let b = try acl(#"path "kmip/config" { capabilities = ["deny"] }"#, #"path "kmip/config" { capabilities = ["read"] }"#)
        XCTAssertFalse(allows(b, .read, "kmip/config"))
        XCTAssertEqual(b.authorize(ACLRequest(operation: .read, path: "kmip/config")), .denied(reason: #"rule "kmip/config" denies"#))
    }

    func testNarrowHidesBroadAndEmptyCapabilitiesShadow() throws {
        let a = try acl(#"path "kmip/*" { capabilities = ["read"] }"#, #"path "kmip/scope*" { capabilities = ["update"] }"#)
        XCTAssertFalse(allows(a, .read, "kmip/scope/x"))
        XCTAssertTrue(allows(a, .update, "kmip/scope/x"))
        XCTAssertTrue(allows(a, .read, "kmip/config"))
        let b = try acl(#"path "kmip/*" { capabilities = ["read"] }"#, #"path "kmip/secret/*" { capabilities = [] }"#)
        XCTAssertFalse(allows(b, .read, "kmip/secret/x"))
        XCTAssertEqual(b.capabilities(path: "kmip/secret/x"), ["deny"])
        XCTAssertTrue(allows(b, .read, "kmip/public"))
    }

    func testStarMatchesEverythingAndNoMatchDenies() throws {
        let a = try acl(#"path "*" { capabilities = ["read"] }"#)
        XCTAssertTrue(allows(a, .read, ""))
        XCTAssertTrue(allows(a, .read, "sys/anything/at/all"))
        XCTAssertTrue(allows(a, .read, "/leading/slash"))
        let b = try acl(#"path "kmip/config" { capabilities = ["read"] }"#)
        XCTAssertEqual(b.authorize(ACLRequest(operation: .read, path: "kmip/other")),
                       .denied(reason: #"no policy rule matches "kmip/other""#))
        XCTAssertFalse(allows(b, .read, "kmip/config/"))
        XCTAssertFalse(allows(b, .read, "KMIP/config"), "matching is case-sensitive")
        XCTAssertFalse(allows(try ACL(policies: []), .read, "kmip/config"))
    }

    func testPlusMatchesWholeSegments() throws {
        let a = try acl(#"""
            path "kmip/scope/+/role/+" { capabilities = ["read"] }
            path "+/config" { capabilities = ["update"] }
            path "a/+x/b" { capabilities = ["list"] }
            """#)
        XCTAssertTrue(allows(a, .read, "kmip/scope/s1/role/r1"))
        XCTAssertTrue(allows(a, .read, "kmip/scope//role/r1"), "+ matches an empty segment")
        XCTAssertFalse(allows(a, .read, "kmip/scope/s1/role/r1/x"), "segment counts must be equal")
        XCTAssertFalse(allows(a, .read, "kmip/scope/s1/role"))
        XCTAssertFalse(allows(a, .read, "kmip/scope/s1/x/role/r1"))
        XCTAssertTrue(allows(a, .update, "kmip/config"))
        XCTAssertFalse(allows(a, .update, "kmip/x/config"))
        XCTAssertTrue(allows(a, .list, "a/+x/b"), "+ inside a segment is literal")
        XCTAssertFalse(allows(a, .list, "a/yx/b"))

        let b = try acl(#"path "kmip/scope/+/role/*" { capabilities = ["read"] }"#, #"path "kmip/+/ab*" { capabilities = ["list"] }"#)
        XCTAssertTrue(allows(b, .read, "kmip/scope/s1/role/r1"))
        XCTAssertTrue(allows(b, .read, "kmip/scope/s1/role/"))
        XCTAssertTrue(allows(b, .read, "kmip/scope/s1/role/r1/deeper"), "with a trailing * the request may be longer")
        XCTAssertFalse(allows(b, .read, "kmip/scope/s1/role"))
        XCTAssertTrue(allows(b, .list, "kmip/x/abc/d"), "the last segment matches as a prefix")
        XCTAssertFalse(allows(b, .list, "kmip/x/ba"))
    }

    func testPriorityAmongWildcardRules() throws {
        // §2.3's example: kmip/* (first wildcard at 5) loses to kmip/scope/+/role/* (at 11).
        let a = try acl(#"path "kmip/*" { capabilities = ["read"] }"#, #"path "kmip/scope/+/role/*" { capabilities = ["update"] }"#)
        XCTAssertTrue(allows(a, .update, "kmip/scope/s1/role/r1"))
        XCTAssertFalse(allows(a, .read, "kmip/scope/s1/role/r1"))
        XCTAssertTrue(allows(a, .read, "kmip/scope/s1"))
        // (1) a later first wildcard wins over a longer pattern.
        let b = try acl(#"path "a/b/+" { capabilities = ["read"] }"#, #"path "a/+/c*" { capabilities = ["update"] }"#)
        XCTAssertEqual(b.capabilities(path: "a/b/c"), ["read"])
        // (2) at the same position, no trailing * beats trailing *.
        let c = try acl(#"path "a/+/c" { capabilities = ["read"] }"#, #"path "a/+/*" { capabilities = ["update"] }"#)
        XCTAssertEqual(c.capabilities(path: "a/b/c"), ["read"])
        XCTAssertEqual(c.capabilities(path: "a/b/d"), ["update"])
        let c2 = try acl(#"path "a/+/+" { capabilities = ["read"] }"#, #"path "a/+/c*" { capabilities = ["update"] }"#)
        XCTAssertEqual(c2.capabilities(path: "a/b/c"), ["read"], "checked before the + count")
        // (3) fewer + segments win.
        let d = try acl(#"path "a/+/c/d" { capabilities = ["read"] }"#, #"path "a/+/+/d" { capabilities = ["update"] }"#)
        XCTAssertEqual(d.capabilities(path: "a/b/c/d"), ["read"])
        let d2 = try acl(#"path "a/+/c*" { capabilities = ["read"] }"#, #"path "a/+/+/*" { capabilities = ["update"] }"#)
        XCTAssertEqual(d2.capabilities(path: "a/b/c/x"), ["read"], "checked before length")
        // A prefix rule's first wildcard is its length: a/b* (3) beats a/+ (2).
        let e = try acl(#"path "a/b*" { capabilities = ["read"] }"#, #"path "a/+" { capabilities = ["update"] }"#)
        XCTAssertEqual(e.capabilities(path: "a/bc"), ["read"])
        // (4) the longer pattern wins.
        let f = try acl(#"path "a/+/c*" { capabilities = ["read"] }"#, #"path "a/+/cd*" { capabilities = ["update"] }"#)
        XCTAssertEqual(f.capabilities(path: "a/b/cde"), ["update"])
        let f2 = try acl(#"path "a/+/+/dddd" { capabilities = ["read"] }"#, #"path "a/+/c/+" { capabilities = ["update"] }"#)
        XCTAssertEqual(f2.capabilities(path: "a/b/c/dddd"), ["read"], "checked before byte order")
        // Without + rules the longest prefix wins.
        let g = try acl(#"path "a/*" { capabilities = ["read"] }"#, #"path "a/b/*" { capabilities = ["update"] }"#)
        XCTAssertEqual(g.capabilities(path: "a/b/c"), ["update"])
        XCTAssertEqual(g.capabilities(path: "a/c"), ["read"])
    }

    func testExactAndPrefixNeverMerge() throws {
        let a = try acl(#"path "kmip/foo" { capabilities = ["read"] }"#, #"path "kmip/foo*" { capabilities = ["deny"] }"#)
        XCTAssertTrue(allows(a, .read, "kmip/foo"))
        XCTAssertFalse(allows(a, .read, "kmip/foobar"))
    }

    func testMergingIdenticalPatternsAcrossPolicies() throws {
        let union = try acl(#"path "k/*" { capabilities = ["read"] }"#, #"path "k/*" { capabilities = ["update", "sudo"] }"#)
        XCTAssertEqual(union.capabilities(path: "k/x"), ["read", "sudo", "update"])
        let deny = try acl(#"path "k/*" { capabilities = ["read"] }"#, #"path "k/*" { capabilities = ["deny"] }"#,
                           #"path "k/*" { capabilities = ["update"] }"#)
        XCTAssertEqual(deny.capabilities(path: "k/x"), ["deny"])
        let params = try acl(
            #"""
            path "k" {
              capabilities = ["update"]
              allowed_parameters = { "a" = ["1"], "b" = [], "c" = ["x"] }
              required_parameters = ["a"]
              max_wrapping_ttl = 300
            }
            """#,
            #"""
            path "k" {
              capabilities = ["create"]
              allowed_parameters = { "a" = ["2"], "b" = ["y"], "d" = [] }
              required_parameters = ["a", "c"]
              max_wrapping_ttl = 60
              min_wrapping_ttl = 10
            }
            """#)
        XCTAssertTrue(allows(params, .update, "k", ["a": "1", "c": "x"], wrap: 60))
        XCTAssertTrue(allows(params, .create, "k", ["a": "2", "b": "anything", "c": "x", "d": 5], wrap: 30))
        XCTAssertFalse(allows(params, .update, "k", ["a": "3", "c": "x"], wrap: 60), "values are concatenated")
        XCTAssertFalse(allows(params, .update, "k", ["a": "1"], wrap: 60), "required names are unioned")
        XCTAssertFalse(allows(params, .update, "k", ["a": "1", "c": "x"], wrap: 61), "the smaller max wins")
        XCTAssertFalse(allows(params, .update, "k", ["a": "1", "c": "x"], wrap: 5))
        let denied = try acl(#"path "k" { capabilities = ["update"] denied_parameters = { "a" = ["x"] } }"#,
                             #"path "k" { capabilities = ["update"] denied_parameters = { "a" = [] } }"#)
        XCTAssertFalse(allows(denied, .update, "k", ["a": "other"]), "[] on either side wins")
        let within = try acl(#"""
            path "k" { capabilities = ["read"] }
            path "k" { capabilities = ["list"] }
            """#)
        XCTAssertEqual(within.capabilities(path: "k"), ["list", "read"])
    }

    func testListTrailingSlash() throws {
        let exact = try acl(#"path "kmip/scope" { capabilities = ["list"] }"#)
        XCTAssertTrue(allows(exact, .list, "kmip/scope/"))
        XCTAssertFalse(allows(exact, .read, "kmip/scope/"), "only LIST drops the slash")
        let prefix = try acl(#"path "kmip/scope/*" { capabilities = ["list"] }"#)
        XCTAssertTrue(allows(prefix, .list, "kmip/scope/"))
        let plus = try acl(#"path "kv/+" { capabilities = ["list"] }"#)
        XCTAssertTrue(allows(plus, .list, "kv/private/"), "the path without the slash matches kv/+")
        XCTAssertFalse(allows(plus, .read, "kv/private/"))
        // A deny on kv/private/* is not bypassed by a broader grant reachable through "kv/private".
        let bypass = try acl(#"path "kv/*" { capabilities = ["list"] }"#, #"path "kv/private/*" { capabilities = ["deny"] }"#)
        XCTAssertFalse(allows(bypass, .list, "kv/private/"))
        XCTAssertTrue(allows(bypass, .list, "kv/public/"))
        let plusDeny = try acl(#"path "kv/+" { capabilities = ["list"] }"#, #"path "kv/private/*" { capabilities = ["deny"] }"#)
        XCTAssertFalse(allows(plusDeny, .list, "kv/private/"))
        XCTAssertEqual(plusDeny.capabilities(path: "kv/private/"), ["deny"])
        XCTAssertEqual(plus.capabilities(path: "kv/private/"), ["list"])
    }

    // MARK: sudo, parameters, wrapping (§3)

    func testSudoComesFromTheWinningRuleOnly() throws {
        let a = try acl(#"path "sys/*" { capabilities = ["read", "update", "sudo"] }"#,
                        #"path "sys/audit/*" { capabilities = ["update"] }"#)
        XCTAssertEqual(a.authorize(ACLRequest(operation: .update, path: "sys/rotate", sudoRequired: true)), .allowed(sudo: true))
        XCTAssertFalse(allows(a, .update, "sys/audit/file", sudo: true))
        XCTAssertEqual(a.authorize(ACLRequest(operation: .update, path: "sys/audit/file")), .allowed(sudo: false))
        let sudoOnly = try acl(#"path "sys/audit" { capabilities = ["sudo"] }"#)
        XCTAssertFalse(allows(sudoOnly, .read, "sys/audit", sudo: true), "sudo needs the operation's capability too")
    }

    func testRequiredAndDeniedParameters() throws {
        let a = try acl(#"""
            path "k" {
              capabilities = ["create", "update", "read", "delete", "list"]
              required_parameters = ["Name"]
              denied_parameters = { "mode" = ["admin*", "*root", "*ops*", "exact"] }
            }
            """#)
        XCTAssertFalse(allows(a, .update, "k", [:]), "required checked before the empty-data shortcut")
        XCTAssertFalse(allows(a, .update, "k", ["Name": "x"]), "required names are looked up lower-cased")
        XCTAssertTrue(allows(a, .update, "k", ["name": "x"]))
        XCTAssertTrue(allows(a, .update, "k", ["name": "x", "mode": "user"]))
        for bad in ["administrator", "superroot", "devopsy", "exact"] {
            XCTAssertFalse(allows(a, .update, "k", ["name": "x", "MODE": .string(bad)]), bad)
        }
        XCTAssertTrue(allows(a, .update, "k", ["name": "x", "mode": "exactly"]))
        XCTAssertTrue(allows(a, .delete, "k", ["mode": "admin"]), "parameters are not checked for delete")
        XCTAssertTrue(allows(a, .list, "k", ["mode": "admin"]), "nor for list")
        XCTAssertFalse(allows(a, .read, "k", ["name": "x", "mode": "admin"]), "but they are for read")
        let all = try acl(#"path "k" { capabilities = ["update"] denied_parameters = { "*" = [] } }"#)
        XCTAssertTrue(allows(all, .update, "k"))
        XCTAssertFalse(allows(all, .update, "k", ["anything": 1]))
        let any = try acl(#"path "k" { capabilities = ["update"] denied_parameters = { "secret" = [] } }"#)
        XCTAssertFalse(allows(any, .update, "k", ["secret": .null]))
        XCTAssertTrue(allows(any, .update, "k", ["other": 1]))
    }

    func testAllowedParameters() throws {
        let a = try acl(#"""
            path "k" {
              capabilities = ["update"]
              allowed_parameters = { "ttl" = [60, "1h"], "name" = [], "flag" = [true] }
            }
            """#)
        XCTAssertTrue(allows(a, .update, "k", ["ttl": 60, "name": "anything", "flag": true]))
        XCTAssertTrue(allows(a, .update, "k", ["ttl": "1h"]))
        XCTAssertFalse(allows(a, .update, "k", ["ttl": "2h"]))
        XCTAssertFalse(allows(a, .update, "k", ["flag": "true"]), "only strings glob; others must be equal")
        XCTAssertFalse(allows(a, .update, "k", ["other": "x"]), "unlisted parameter")
        let star = try acl(#"path "k" { capabilities = ["update"] allowed_parameters = { "*" = [] } }"#)
        XCTAssertTrue(allows(star, .update, "k", ["whatever": "x"]))
        let starPlus = try acl(#"path "k" { capabilities = ["update"] allowed_parameters = { "*" = [], "mode" = ["safe"] } }"#)
        XCTAssertTrue(allows(starPlus, .update, "k", ["whatever": "x", "mode": "safe"]))
        XCTAssertFalse(allows(starPlus, .update, "k", ["whatever": "x", "mode": "unsafe"]))
        let literal = try acl(#"path "k" { capabilities = ["update"] allowed_parameters = { "v" = ["*"] } }"#)
        XCTAssertFalse(allows(literal, .update, "k", ["v": "x"]), "a lone * value is literal")
        XCTAssertTrue(allows(literal, .update, "k", ["v": "*"]))
    }

    func testListAndCommaValuesMatchItemByItem() throws {
        let a = try acl(#"""
            path "k" {
              capabilities = ["update"]
              allowed_parameters = { "roles" = ["r-*", "ops"], "policies" = [] }
              denied_parameters = { "policies" = ["root", "admin"] }
            }
            """#)
        XCTAssertTrue(allows(a, .update, "k", ["roles": ["r-1", "ops"]]))
        XCTAssertTrue(allows(a, .update, "k", ["roles": "r-1, ops"]))
        XCTAssertFalse(allows(a, .update, "k", ["roles": ["r-1", "dev"]]), "every item must be allowed")
        XCTAssertFalse(allows(a, .update, "k", ["roles": "dev,r-1"]))
        XCTAssertTrue(allows(a, .update, "k", ["policies": ["default", "kmip"]]))
        XCTAssertFalse(allows(a, .update, "k", ["policies": ["default", "root"]]), "any denied item denies")
        XCTAssertFalse(allows(a, .update, "k", ["policies": "default,admin"]))
        XCTAssertFalse(allows(a, .update, "k", ["policies": "Admin"]), "policy names are compared lower-cased")
        // ...and trimmed, as the token store trims them (a list item with a space or a no-break space).
        XCTAssertFalse(allows(a, .update, "k", ["policies": [" admin"]]))
        XCTAssertFalse(allows(a, .update, "k", ["policies": ["default", "\u{A0}admin\t"]]))
        let whole = try acl(#"path "k" { capabilities = ["update"] allowed_parameters = { "pair" = [["a", "b"]] } }"#)
        XCTAssertTrue(allows(whole, .update, "k", ["pair": ["a", "b"]]), "a whole-list match still counts")
    }

    func testWrappingTTL() throws {
        let a = try acl(#"path "w" { capabilities = ["read"] min_wrapping_ttl = "1m" max_wrapping_ttl = "1h" }"#)
        XCTAssertFalse(allows(a, .read, "w"), "either bound makes wrapping mandatory")
        XCTAssertFalse(allows(a, .read, "w", wrap: 30))
        XCTAssertFalse(allows(a, .read, "w", wrap: 3601))
        XCTAssertTrue(allows(a, .read, "w", wrap: 60))
        XCTAssertTrue(allows(a, .read, "w", wrap: 3600))
        let maxOnly = try acl(#"path "w" { capabilities = ["read"] max_wrapping_ttl = 300 }"#)
        XCTAssertFalse(allows(maxOnly, .read, "w"))
        XCTAssertTrue(allows(maxOnly, .read, "w", wrap: 10))
    }

    // MARK: root and capabilities (§4)

    func testRootAndCapabilities() throws {
        let root = try ACL(policies: [ACLPolicy(name: "root", rules: [])])
        XCTAssertTrue(root.isRoot)
        XCTAssertEqual(root.capabilities(path: "anything"), ["root"])
        XCTAssertEqual(root.authorize(ACLRequest(operation: .update, path: "sys/rotate", sudoRequired: true, wrapTTL: nil)),
                       .allowed(sudo: true))
        XCTAssertThrowsError(try ACL(policies: [ACLPolicy(name: "root", rules: []), ACLPolicy(name: "default", rules: [])])) {
            XCTAssertEqual(($0 as? ACLPolicyError)?.message, "other policies present along with root")
        }
        let a = try acl(#"path "kmip/config" { capabilities = ["update", "read", "list", "sudo", "delete", "create", "patch"] }"#,
                        #"path "sys/*" { capabilities = ["deny"] }"#)
        XCTAssertFalse(a.isRoot)
        XCTAssertEqual(a.capabilities(path: "kmip/config"), ["create", "delete", "list", "patch", "read", "sudo", "update"])
        XCTAssertEqual(a.capabilities(path: "kmip/config/"), ["create", "delete", "list", "patch", "read", "sudo", "update"])
        XCTAssertEqual(a.capabilities(path: "sys/audit"), ["deny"])
        XCTAssertEqual(a.capabilities(path: "nothing"), ["deny"])
        XCTAssertEqual(try ACL(policies: []).capabilities(path: "x"), ["deny"])
    }

    // MARK: vault policy fmt

    func testFormatter() throws {
        let messy = """
            # KMIP operators

            path "kmip/scope/+/role/*" {
            capabilities = ["create", "read"]
                  denied_parameters={ "operation_all" = [] }   # no blanket grants
                max_wrapping_ttl = "1h"
            }
            path "kmip/config" {
            // read only
            capabilities = [
            "read",
            ]
            }



            path "sys/policy/*" { capabilities = ["read"] }
            """
        let expected = """
            # KMIP operators

            path "kmip/scope/+/role/*" {
              capabilities      = ["create", "read"]
              denied_parameters = { "operation_all" = [] }   # no blanket grants
              max_wrapping_ttl  = "1h"
            }

            path "kmip/config" {
              // read only
              capabilities = [
                "read",
              ]
            }

            path "sys/policy/*" { capabilities = ["read"] }

            """
        let formatted = try PolicyFormatter.format(messy)
        XCTAssertEqual(formatted, expected)
        XCTAssertEqual(try PolicyFormatter.format(formatted), formatted, "idempotent")
        XCTAssertEqual(try ACLPolicy.parse(name: "a", text: formatted), try ACLPolicy.parse(name: "a", text: messy))
        let heredoc = "path \"a\" {\ncomment = <<EOF\n  keep   this\nEOF\n    capabilities = [\"read\"]\n}"
        XCTAssertEqual(try PolicyFormatter.format(heredoc),
                       "path \"a\" {\n  comment = <<EOF\n  keep   this\nEOF\n  capabilities = [\"read\"]\n}\n")
        XCTAssertThrowsError(try PolicyFormatter.format(#"path "a" { capabilities = ["nope"] }"#)) {
            XCTAssertEqual(($0 as? ACLPolicyError)?.message, #"failed to parse policy: path "a": invalid capability "nope""#)
        }
        let json = try PolicyFormatter.format(#"{"path":{"a":{"capabilities":["read"]}}}"#)
        XCTAssertTrue(json.hasSuffix("}\n"))
        XCTAssertEqual(try ACLPolicy.parse(name: "j", text: json).rules, [ACLPathRule(pattern: "a", capabilities: [.read])])
    }

    /// `fmt` is idempotent with stray carriage returns (a fuzzer found a second pass changing the output).
    func testFormatterIsStableOnCarriageReturns() throws {
        let text = "path \"a\" {\r\r\n  capabilities = [\"read\"]\r \r\n}\r\n"
        let once = try PolicyFormatter.format(text)
        XCTAssertEqual(try PolicyFormatter.format(once), once)
        XCTAssertFalse(once.contains("\r"))
    }
}
