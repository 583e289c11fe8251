import Foundation
import KMIP
import KMIPClient
import KMIPConformance
import KMIPEngine
import Logging
import StrongroomServer
import XCTest

/// Replays the OASIS KMIP 1.0–1.4 XML test cases against a live in-process dev server, over
/// KMIPClient and real mutual TLS, and compares every response by `ResponseComparator`'s rules.
///
/// Selection: every file of KMIP 1.0–1.4 (516). A file is excluded only (a) when a request uses an
/// operation the server does not list in Query Operations (data-driven) or (b) by `explicitExclusions`
/// or `excludedFamilies`, each with its reason. `knownFailures` are gaps not yet closed: they are
/// replayed and printed loudly, but do not fail the test. Any other failing file fails the test.
///
/// Isolation: every file runs in a fresh scope of its own (created through the mount, with an admin
/// role and a freshly issued client credential), so Locate and names never see another file's objects;
/// only the TL-M files of one version, which form one scenario, share a scope (`sharedScope`).
/// The dev credential written to the data directory (`ca.pem`, `client.pem`, `client-key.pem`) is used
/// for the Query Operations probe.
final class OASISReplayTests: XCTestCase {
    /// The operations the engine must implement (the probe checks the server lists at least these).
    static let requiredOperations: Set<String> = [
        "DiscoverVersions", "Query", "Create", "Register", "Get", "GetAttributes", "GetAttributeList",
        "AddAttribute", "ModifyAttribute", "DeleteAttribute", "Locate", "Activate", "Revoke", "Destroy",
        "ReKey", "Check",
    ]

    /// Files not replayed although their operations are implemented; corpus path → reason.
    static let explicitExclusions: [String: String] = [
        "1.0/testcases-v1.4/TC-DERIVEKEY-4-10.xml": "the published file lists requests 5 and 6 (Revoke, Destroy) "
            + "before their two responses, so no request can be paired with its response; the same case at 1.1–1.4 "
            + "(TC-DERIVEKEY-4-11…14), alternating as every other file does, is replayed and passes",
        "1.3/testcases-v1.3/TC-OFFSET-1-13.xml": offsetOrder,
        "1.3/testcases-v1.3/TC-OFFSET-2-13.xml": offsetOrder,
        "1.3/profiles-v1.3/mandatory/CS-BC-M-4-12-3DES-13.xml": weak3DES,
        "1.3/testcases-v1.3/TC-STREAM-ENC-2-13.xml": weak3DES,
        "1.4/testcases-v1.4/TC-STREAM-ENC-2-14.xml": weak3DES,
        "1.2/testcases-v1.2/TC_ECC_2_12_Register_an_ECC_Key_Pair_in_PKCS8_Format.xml": encryptedPKCS8,
        "1.4/testcases-v1.4/TC-ECC-2-14.xml": encryptedPKCS8,
        "1.0/testcases-v1.2/TC_ECC_3_10_Register_an_ECC_Key_Pair_and_ECDSA_Certificate.xml": reencryptedECKey,
        "1.1/testcases-v1.2/TC_ECC_3_11_Register_an_ECC_Key_Pair_and_ECDSA_Certificate.xml": reencryptedECKey,
        "1.3/profiles-v1.3/mandatory/CS-AC-M-3-ECC-13.xml": "step 5 verifies an ECDSA signature with RSA-PSS "
            + "parameters and expects Valid (its 1.4 sibling TC-ECDSA-SIGN-DIGESTEDDATA-1-14 expects Invalid for the "
            + "same request, and passes); step 3 also signs Data with no hash named",
        "1.2/testcases-v1.2/TC_312_12_Register_Create_Get_attributes_Destroy.xml": "step 5 Gets $UNIQUE_IDENTIFIER_0 "
            + "(the Template registered in step 1) but expects the literal identifier 8590e6e9-61c1-4b81-98d3-053a3c6a521b back: "
            + "the reference server's own identifier left in the published file; §4.11's response names the object the request "
            + "named. Steps 1–4 (Template registered, applied by Name in Create, attributes checked) pass, as do TC_312_10/11",
        "1.4/testcases-v1.4/TC-WRAP-3-14.xml": "step 6 expects a key wrapped anew with No Encoding as a Key Value structure, "
            + "the shape a mount gives with wrapped_key_value=structure; the default is the Byte String of KMIP 1.x §2.1.4, "
            + "which TC_141 and TC-WRAP-1-20 show (docs/clients.md). Steps 1–5 pass, as do TC-WRAP-1/2-14",
        "1.2/testcases-v1.2/TC_SJ_2_12_Register_and_Split_Join.xml": splitPartSlip,
        "1.2/testcases-v1.2/TC_SJ_4_12_Register_and_Split_Join_with_XOR.xml": splitPartSlip,
        "1.4/testcases-v1.4/TC-SJ-4-14.xml": splitPartSlip,
        "1.1/testcases-v1.2/TC_151_11_Locate_a_Fresh_Object_from_the_Default_Group.xml": defaultGroupPolicy,
        "1.2/testcases-v1.2/TC_151_12_Locate_a_Fresh_Object_from_the_Default_Group.xml": defaultGroupPolicy,
        "1.1/testcases-v1.2/TC_153_11_Default_Object_Group_Member.xml": roundRobinPolicy,
        "1.2/testcases-v1.2/TC_153_12_Default_Object_Group_Member.xml": roundRobinPolicy,
        "1.1/testcases-v1.2/TC_142_11_Key_Wrapping_using_AES_Key_Wrap_with_Attributes.xml": wrappedWithAttributes,
        "1.2/testcases-v1.2/TC_142_12_Key_Wrapping_using_AES_Key_Wrap_with_Attributes.xml": wrappedWithAttributes,
        "1.0/testcases-v1.2/TC_111_10_Credential_Operation_Policy_Destroy_Date.xml": headerCredentials,
        "1.1/testcases-v1.2/TC_111_11_Credential_Operation_Policy_Destroy_Date.xml": headerCredentials,
        "1.2/testcases-v1.2/TC_111_12_Credential_Operation_Policy_Destroy_Date.xml": headerCredentials,
        "1.1/testcases-v1.2/TC_112_11_Device_Credential_Operation_Policy_Destroy_Date.xml": headerCredentials,
        "1.2/testcases-v1.2/TC_112_12_Device_Credential_Operation_Policy_Destroy_Date.xml": headerCredentials,
        "1.4/testcases-v1.4/TC-PKCS12-2-14.xml": "step 5 expects Get Attributes with no names to leave out Sensitive, "
            + "Always Sensitive, Extractable and Never Extractable (as TL-M-3-14; §4.13: no names means every attribute), and "
            + "step 9 expects the certificate's serial number as INTEGER content bytes where step 7 located it by the whole "
            + "DER INTEGER. The PKCS#12 import itself (steps 1–4: refused while its password is Pre-Active, then the key and "
            + "certificate registered and linked) and steps 6–8 pass; PKCS12ObjectTests covers it",
        "1.1/profiles-v1.0/optional/SKFF-O-6-11.xml": "step 9 expects an Object Group on a key created without one: the "
            + "1.1 reference server put every new object in a group of its own choosing (§3.33 leaves it to server policy); "
            + "the 1.0 and 1.2 editions of the same case expect none, and pass",
        "1.2/testcases-v1.2/TC_PGP_1_12_Register_PGP_Key_RSA.xml": "step 4 expects no Fresh on a registered PGP Key; "
            + "KMIP 1.2 §3.34 gives Fresh to every cryptographic object, the PGP Key among them (§2.2.9), and so does Strongroom",
        "1.3/testcases-v1.3/TC-RNG-ATTR-2-13.xml": "step 1 binds the created key to $UNIQUE_IDENTIFIER_1 and step 2 names "
            + "$UNIQUE_IDENTIFIER_0, bound by no response, for the same key: a slip in the published file (TC-RNG-ATTR-1-13 "
            + "numbers it right, and passes)",
        "1.4/profiles-v1.4/optional/OMOS-O-1-14.xml": "step 2 sends a 1.4 request and expects a 1.3 response header (the "
            + "reference server's version); a response speaks the request's version (SPEC.md §2, and every other 1.4 file "
            + "expects it), and steps 1 and 3 pass",
        "1.4/testcases-v1.4/TC-CS-CORVAL-1-14.xml": "expects a response without the Client Correlation Value the request "
            + "sent; SPEC.md §2 asks the server to echo it",
        "1.4/profiles-v1.4/mandatory/TL-M-3-14.xml": "step 3 expects Get Attributes with no names to leave out Sensitive, "
            + "Always Sensitive, Extractable and Never Extractable, which step 2's Get Attribute List of the same object "
            + "names; KMIP 1.4 §4.13 says no names means every attribute, and this server follows the spec",
    ]
    /// Whole families excluded for one reason: file-name fragment → reason.
    static let excludedFamilies: [(fragment: String, reason: String)] = [
        ("/SKFF-O-1-", skipjack), ("/SKFF-O-2-", skipjack), ("/SKFF-O-3-", skipjack),
        ("/CS-RNG-O-2-", rngSeedPolicies), ("/CS-RNG-O-3-", rngSeedPolicies), ("/CS-RNG-O-4-", rngSeedPolicies),
        ("/TC-OTP-", oneTimePad),
    ]

    static func exclusion(_ path: String) -> String? {
        explicitExclusions[path] ?? excludedFamilies.first { path.contains($0.fragment) }?.reason
    }

    static let skipjack = "creates SKIPJACK keys: an 80-bit cipher Strongroom does not make keys for (docs/security.md, "
        + "Algorithms; docs/conformance.md, deliberate deviations)"
    static let rngSeedPolicies = "CS-RNG-O-1…4 send one RNG Seed request (32 bytes) and expect four different answers — "
        + "all 32 bytes accepted, 16, none, Permission Denied — the policies §4.35 leaves to the server; Strongroom "
        + "accepts the whole seed (mixed in, never replacing its entropy), as CS-RNG-O-1 expects, and passes it"
    static let oneTimePad = "one-time-pad Secret Data used by Encrypt: the group's files expect outcomes that exclude "
        + "one another for the same pad after the same setup (TC-OTP-3 Gets it back without a value, TC-OTP-4 is refused), "
        + "two setups register the same name, and TC-OTP-5 encrypts twice under one pad — a two-time pad. Strongroom "
        + "offers no one-time-pad cipher (docs/conformance.md, deliberate deviations)"

    static let offsetOrder = "pages through Locate results oldest first, against SPEC.md's newest-first order "
        + "(which the 1.4 edition of the same case, TC-OFFSET-*-14, expects and passes)"

    static let splitPartSlip = "step 6 Gets $UNIQUE_IDENTIFIER_4 (split part 4, Key Part Identifier 4 in the same payload) "
        + "but expects $UNIQUE_IDENTIFIER_1 back: a slip in the published file (TC-SJ-2-14 has it right); §4.11's response "
        + "names the object the request named. Steps 1–5 pass; the joins of the published parts (GF(2^8) and XOR) are "
        + "checked in SplitKeyTests"

    static let defaultGroupPolicy = "the file \"illustrates only one possible behavior related to the default group\": "
        + "a server that keeps fresh keys in a group named default, or creates one when Locate asks; §4.9 leaves the "
        + "default group to server policy, and Strongroom's Locate never creates objects (a Locate right must not "
        + "create keys). Group Member Fresh itself is replayed in TC_152"
    static let roundRobinPolicy = "the file \"assumes that the server policy is such that it serves objects from the "
        + "group in a round-robin fashion\", each Get advancing the default member; §4.9 leaves the default member "
        + "to server policy, and Strongroom's is the group's newest object (Get changes no pointer)"

    static let wrappedWithAttributes = "step 3 asks for the key wrapped with its Cryptographic Usage Mask and no Encoding "
        + "Option, which the file's own description and §2.1.5 call TTLV encoding (the Key Value structure, attribute "
        + "included, wrapped: 96 bytes here); the published answer wraps the 16 key bytes alone (24 bytes). Wrapping with "
        + "attributes in TTLV encoding is checked in KeyWrappingTests"
    static let headerCredentials = "identifies clients by Username and Password (or Device) Credentials in the request "
        + "header and expects objects to belong to the credential that created them; Strongroom identifies a client by "
        + "its TLS certificate and grants by scope and role, as Vault does (SPEC.md), so clients of one scope share its objects"

    static let reencryptedECKey = "expects Get of a registered plain ECPrivateKey to return a different, "
        + "password-encrypted PKCS#8 blob (the reference server's own re-encryption); the certificate steps before it pass "
        + "in the 1.2 and 1.4 editions"
    static let weak3DES = "encrypts with the 3DES key 0101…01, whose three parts are equal (single DES); KMIPCrypto "
        + "refuses such keys by policy"
    static let encryptedPKCS8 = "registers a password-encrypted PKCS#8 key and expects Get to return it decrypted; the "
        + "password is not part of the test case"

    /// Gaps not yet closed in the replay (a clock it cannot wait for, random key components of varying
    /// length), replayed and printed loudly; corpus path → reason.
    static let knownFailures: [String: String] = [
        "1.0/testcases-v1.2/TC_92_10_Existing_Key_Expired_Re_key_with_Same_Life_cycle.xml": expiryWait,
        "1.1/testcases-v1.2/TC_92_11_Existing_Key_Expired_Re_key_with_Same_Life_cycle.xml": expiryWait,
        "1.2/testcases-v1.2/TC_92_12_Existing_Key_Expired_Re_key_with_Same_Life_cycle.xml": expiryWait,
        "1.1/testcases-v1.2/TC_133_11_Create_Re_key_Key_Pair.xml": randomKeyComponents,
        "1.2/testcases-v1.2/TC_133_12_Create_Re_key_Key_Pair.xml": randomKeyComponents,
    ]

    static let expiryWait = "sets a Deactivation Date 120 s ahead and expects the key Deactivated at the next step: the "
        + "replay does not wait for the reference run's clock (the 1.0 edition writes the dates literally, so the key "
        + "is Deactivated at once)"
    static let randomKeyComponents = "compares the parts of a server-generated RSA key: the private key's DER length "
        + "(it varies by a byte with its random integers) and, at 1.1, the modulus itself; the replayer's random-value rule "
        + "covers byte strings of one length only"

    /// Every file of KMIP 1.0–1.4: the profiles (mandatory and optional), the test-case groups and
    /// the numbered chapters of Test Cases v1.2.
    static func isSelected(_ e: ConformanceCorpus.Entry) -> Bool {
        ["1.0", "1.1", "1.2", "1.3", "1.4"].contains(e.versionFolder)
    }

    /// The Tape Library and Storage Array cases are one scenario in three files each (TL-M-1
    /// configures, TL-M-2 creates the key that TL-M-3 locates, reads and destroys; SASED-M-2 registers
    /// the Template and the key that SASED-M-3 finds and destroys): the files of one version share a
    /// scope, in order.
    static func sharedScope(_ e: ConformanceCorpus.Entry) -> String? {
        switch e.group {
        case "TL-M": "oasis-tl-\(e.versionFolder)"
        case "SASED-M": "oasis-sased-\(e.versionFolder)"
        // TC-CREG-1 registers what TC-CREG-2 reads and TC-CREG-3 destroys.
        case "TC-CREG": "oasis-creg-\(e.versionFolder)"
        default: nil
        }
    }

    static let sharedRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    struct Tally { var passed = 0, failed = 0, excluded = 0, known = 0 }

    /// The corpus in `../shared`, or a loud skip when it is missing.
    static func corpus() throws -> ConformanceCorpus {
        let root = sharedRoot.appendingPathComponent("kmip-testcases")
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("MANIFEST.csv").path) else {
            let message = "SKIPPED: \(root.path) is missing — the shared KMIP data is not beside the repository"
            print("⚠️  \(message)")
            throw XCTSkip(message)
        }
        return try ConformanceCorpus(root: root)
    }

    /// Runs `body` against a fresh dev server (its data removed after), shutting it down either way.
    func withDevServer(_ body: (RunningServer) async throws -> Void) async throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("strongroom-oasis-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDir) }
        var logger = Logger(label: "strongroom.oasis")
        logger.logLevel = .error
        let server = try await StrongroomServer.startDev(
            DevOptions(dataDirectory: dataDir.path, kmipListenAddress: "127.0.0.1:0", apiListenAddress: "127.0.0.1:0"),
            logger: logger)
        do {
            try await body(server)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    func testReplayOASISCorpusOverMutualTLS() async throws {
        let corpus = try Self.corpus()
        let entries = corpus.entries.filter(Self.isSelected)
        XCTAssertGreaterThan(entries.count, 100, "the selection found the corpus files")
        try await withDevServer { server in try await self.replay(corpus: corpus, entries: entries, server: server) }
    }

    /// The Additional Message Encodings profiles (MSGENC-HTTPS, -JSON and -XML of KMIP 1.3 and 1.4)
    /// over the mount's HTTPS listener: every file in every body encoding, strict as the main replay.
    func testMessageEncodingProfilesOverHTTPS() async throws {
        let corpus = try Self.corpus()
        let entries = corpus.entries.filter { $0.group.hasPrefix("MSGENC-") && Self.isSelected($0) }
        XCTAssertEqual(entries.count, 6, "MSGENC-HTTPS/JSON/XML of 1.3 and 1.4")
        try await withDevServer { server in
            let mounted = await server.registry.mount(at: "kmip")
            let kmip = try XCTUnwrap(mounted)
            _ = try await server.registry.writeConfig(kmip, update: MountConfigUpdate(httpsListenAddrs: ["127.0.0.1:0"]))
            let addresses = await server.kmipHTTPSAddresses(mount: "kmip/")
            let address = try XCTUnwrap(addresses.first, "the HTTPS listener's address")
            let port = try XCTUnwrap(address.split(separator: ":").last.flatMap { Int($0) })
            let trustRoots = KMIPClientConfiguration.splitPEMCertificates(try String(contentsOfFile: server.paths.caPEM, encoding: .utf8))
            _ = try await server.mount.createScope("msgenc")
            _ = try await server.mount.putRole(scope: "msgenc", name: "admin", .all)
            let credential = try await server.mount.generateCredential(scope: "msgenc", role: "admin")
            var passed = 0
            for entry in entries {
                let testCase = try corpus.load(entry)
                for encoding in MessageEncoding.allCases {
                    var config = KMIPClientConfiguration(
                        host: "127.0.0.1", port: port, trustRootsPEM: trustRoots, certificateChainPEM: [credential.certificatePEM],
                        privateKeyPEM: try XCTUnwrap(credential.privateKeyPEM))
                    config.httpsEncoding = encoding
                    let client = try await KMIPClient.connect(config)
                    let result = await Replayer().replay(testCase) { try await client.send($0) }
                    await client.close()
                    if let failure = result.failure { XCTFail("\(entry.path) over HTTPS with \(encoding.rawValue) bodies: \(failure)") } else { passed += 1 }
                }
            }
            print("MSGENC over HTTPS: \(passed)/\(entries.count * MessageEncoding.allCases.count) file×encoding runs passed "
                + "(\(entries.map(\.path).sorted().joined(separator: ", ")) × ttlv, json, xml)")
        }
    }

    func replay(corpus: ConformanceCorpus, entries: [ConformanceCorpus.Entry], server: RunningServer) async throws {
        let port = try XCTUnwrap(server.kmipPort, "the server reports its bound port")
        let host = "127.0.0.1"
        // The spec's answer to Get Attributes without names (every attribute, KMIP 1.4 §4.13), not the
        // default that spares PyKMIP the Random Number Generator it cannot decode (docs/clients.md).
        let mounted = await server.registry.mount(at: "kmip")
        let kmip = try XCTUnwrap(mounted, "the dev server's kmip/ mount")
        _ = try await server.registry.writeConfig(kmip, update: MountConfigUpdate(omitFromAllAttributes: []))

        // The operations the server says it handles, asked with the dev credential files.
        let devConfig = try KMIPClientConfiguration.files(
            host: host, port: port, caFile: server.paths.caPEM, certFile: server.paths.clientPEM, keyFile: server.paths.clientKeyPEM)
        let devClient = try await KMIPClient.connect(devConfig)
        var query = QueryRequestPayload()
        query.queryFunctions = [.queryOperations]
        let answer = try await devClient.call(.query, query, as: QueryResponsePayload.self)
        await devClient.close()
        let served = Set(answer.operations.map(\.description))
        print("Server lists \(served.count) operations: \(served.sorted().joined(separator: ", "))")
        XCTAssertTrue(Self.requiredOperations.isSubset(of: served),
                      "Query Operations misses \(Self.requiredOperations.subtracting(served).sorted())")

        let trustRoots = KMIPClientConfiguration.splitPEMCertificates(try String(contentsOfFile: server.paths.caPEM, encoding: .utf8))
        let replayer = Replayer()
        var tallies: [String: Tally] = [:]
        var groupOrder: [String] = []
        var exclusions: [String] = []
        var failures: [String] = []
        var known: [String] = []
        var fixedKnown: [String] = []

        for (n, entry) in entries.enumerated() {
            if !groupOrder.contains(entry.group) { groupOrder.append(entry.group) }
            if let reason = Self.exclusion(entry.path) {
                tallies[entry.group, default: Tally()].excluded += 1
                exclusions.append("\(entry.path): \(reason)")
                continue
            }
            let testCase: ConformanceCase
            do {
                testCase = try corpus.load(entry)
            } catch {
                tallies[entry.group, default: Tally()].failed += 1
                failures.append("\(entry.path): cannot parse: \(error)")
                continue
            }
            let missing = testCase.requestOperations.filter { !served.contains($0) }
            if !missing.isEmpty {
                tallies[entry.group, default: Tally()].excluded += 1
                exclusions.append("\(entry.path): uses \(missing.joined(separator: ", ")) (not in the server's Query Operations)")
                continue
            }

            // A fresh scope, admin role and credential per file, except for scenarios spread over files.
            let scope = Self.sharedScope(entry) ?? "oasis-\(n)"
            if try await server.mount.scope(scope) == nil {
                _ = try await server.mount.createScope(scope)
                _ = try await server.mount.putRole(scope: scope, name: "admin", .all)
            }
            let credential = try await server.mount.generateCredential(scope: scope, role: "admin")
            let config = KMIPClientConfiguration(
                host: host, port: port, trustRootsPEM: trustRoots, certificateChainPEM: [credential.certificatePEM],
                privateKeyPEM: try XCTUnwrap(credential.privateKeyPEM))
            let client = try await KMIPClient.connect(config)
            let result = await replayer.replay(testCase) { try await client.send($0) }
            await client.close()

            switch (result.failure, Self.knownFailures[entry.path]) {
            case (nil, nil):
                tallies[entry.group, default: Tally()].passed += 1
            case (nil, .some(let reason)):
                tallies[entry.group, default: Tally()].passed += 1
                fixedKnown.append(entry.path + (reason.hasPrefix("NONDETERMINISTIC") ? " (nondeterministic: passed this run)" : ""))
            case (.some(let f), .some(let reason)):
                tallies[entry.group, default: Tally()].known += 1
                known.append("\(entry.path) — \(reason)\n      now: \(f)")
            case (.some(let f), nil):
                tallies[entry.group, default: Tally()].failed += 1
                failures.append("\(entry.path) \(f)")
                if ProcessInfo.processInfo.environment["OASIS_DUMP"] != nil, let xml = f.responseXML {
                    print("---- actual response of \(entry.path) step \(f.step):\n\(xml)")
                }
            }
        }

        print("\nOASIS replay over mutual TLS: \(entries.count) files selected")
        print("group          passed  failed  excluded  known-failures")
        var total = Tally()
        for g in groupOrder {
            let t = tallies[g] ?? Tally()
            print("\(g.padding(toLength: 14, withPad: " ", startingAt: 0)) \(String(format: "%6d  %6d  %8d  %6d", t.passed, t.failed, t.excluded, t.known))")
            total.passed += t.passed; total.failed += t.failed; total.excluded += t.excluded; total.known += t.known
        }
        print("TOTAL          \(String(format: "%6d  %6d  %8d  %6d", total.passed, total.failed, total.excluded, total.known))")
        print("\nExcluded (\(exclusions.count)):")
        for e in exclusions { print("  - \(e)") }
        if !known.isEmpty {
            print("\n‼️  KNOWN FAILURES (\(known.count)) — gaps to close, each with its reason:")
            for k in known { print("  ‼️ \(k)") }
        }
        if !fixedKnown.isEmpty {
            print("\n✅ Known failures that now pass — remove them from knownFailures:")
            for k in fixedKnown { print("  ✅ \(k)") }
        }
        if !failures.isEmpty {
            print("\n❌ FAILURES (\(failures.count)):")
            for f in failures { print("  ❌ \(f)") }
        }
        XCTAssertEqual(failures, [], "\(failures.count) OASIS test cases failed")
    }
}
