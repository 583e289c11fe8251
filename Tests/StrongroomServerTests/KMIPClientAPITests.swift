import Foundation
import KMIP
import KMIPClient
import StrongroomAPI
import StrongroomServer
import XCTest

/// Vault 2.0's KMIP client API (reference vault-2-kmip-api.md §7): KMIP requests in the XML
/// encoding over HTTP, behind the `kmip.client_api.alpha1` experiment. Each built-in template runs
/// over HTTP and, as the same request, over TTLV with the dev credential of the same scope and
/// role; the batch items must agree.
extension ServerAPITests {
    func startWithClientAPI() async throws -> Harness {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("strongroom-api-\(UUID().uuidString)")
        var options = DevOptions(dataDirectory: dir.appendingPathComponent("data").path, kmipListenAddress: "127.0.0.1:0",
                                 apiListenAddress: "127.0.0.1:0")
        options.experiments = [APIExperiments.kmipClientAPI]
        let server = try await StrongroomServer.startDev(options)
        addTeardownBlock {
            await server.shutdown()
            try? FileManager.default.removeItem(at: dir)
        }
        return Harness(server: server, directory: dir)
    }

    /// `POST kmip/scope/<scope>/role/<role>/client/<operations>` → the decoded response message.
    func clientAPI(_ h: Harness, _ operations: String, _ body: [String: Any], scope: String = "default", role: String = "admin",
                   file: StaticString = #filePath, line: UInt = #line) async throws -> ResponseMessage {
        let reply = try await h.api("POST", "kmip/scope/\(scope)/role/\(role)/client/\(operations)", body)
        XCTAssertEqual(reply.status, 200, reply.summary, file: file, line: line)
        let xml = try XCTUnwrap(reply.data?["response"] as? String, reply.summary, file: file, line: line)
        XCTAssertTrue(xml.hasPrefix("<KMIP>"), xml, file: file, line: line)
        return try ResponseMessage(ttlv: try KMIPXML.decodeMessage(xml).encoded())
    }

    /// The same template over TTLV (the dev credential: scope `default`, role `admin`).
    func overTTLV(_ client: KMIPClient, _ template: String, _ values: [String: String]) async throws -> ResponseMessage {
        let xml = try XCTUnwrap(KMIPClientTemplate.builtIn[template], template).render(values)
        return try await client.send(try RequestMessage(ttlv: try KMIPXML.decodeMessage(xml).encoded()))
    }

    /// The batch items of a response as TTLV trees (typed payloads are not comparable).
    func items(_ m: ResponseMessage) throws -> [TTLV] {
        guard case .structure(let children) = try TTLV(decoding: m.encoded()).value else { return [] }
        return children.filter { $0.tag == .batchItem }
    }

    /// The first item of `tag` in the payload of batch item `i`.
    func payloadField(_ m: ResponseMessage, _ i: Int, _ tag: Tag) throws -> TTLV.Value? {
        guard i < (try items(m)).count, case .structure(let fields) = try items(m)[i].value,
              let payload = fields.first(where: { $0.tag == .responsePayload }), case .structure(let inner) = payload.value else { return nil }
        return inner.first { $0.tag == tag }?.value
    }

    func testTheClientAPIIsServedOnlyWithItsExperiment() async throws {
        let h = try await start()
        let templates = try await h.api("LIST", "kmip/template")
        XCTAssertEqual(templates.status, 404, templates.summary)
        let client = try await h.api("POST", "kmip/scope/default/role/admin/client/locate", [:])
        XCTAssertEqual(client.status, 404, client.summary)
        let experiments = try await expectData(h, 200, "GET", "sys/experiments")
        XCTAssertEqual(experiments["enabled"] as? [String], [])
        XCTAssertEqual(experiments["available"] as? [String], ["kmip.client_api.alpha1"])
        XCTAssertThrowsError(try ServerConfigFile.experiments(["no.such.experiment"]))
    }

    func testEveryBuiltInTemplateOverHTTPAgreesWithTTLV() async throws {
        let h = try await startWithClientAPI()
        let enabled = try await expectData(h, 200, "GET", "sys/experiments")
        XCTAssertEqual(enabled["enabled"] as? [String], ["kmip.client_api.alpha1"])
        let listed = try await expectData(h, 200, "LIST", "kmip/template")
        let names = try XCTUnwrap(listed["keys"] as? [String])
        XCTAssertEqual(names, [
            "addattribute", "create", "destroy", "get", "getattribute", "getattributelist", "getattributes", "locate",
            "locate_addattribute", "locate_by_name", "locate_decrypt", "locate_encrypt", "locate_getattribute",
            "locate_getattributelist", "locate_getattributes", "locate_get", "locate_modifyattribute", "locate_revoke",
            "locate_revoke_destroy", "modifyattribute", "revoke", "revoke_destroy",
        ].sorted())
        let create = try await expectData(h, 200, "GET", "kmip/template/create")
        XCTAssertEqual(Set(create["parameters"] as? [String] ?? []), ["algorithm", "length", "name", "usage_mask"])
        XCTAssertTrue((create["template"] as? String ?? "").contains("PARAMETER_usage_mask"))
        try await expect(h, 404, "GET", "kmip/template/nosuch")

        let ca = try await h.caPEM("kmip")
        let client = try await KMIPClient.connect(h.clientConfiguration(port: h.kmipPort, ca: ca, try h.devCredential()))
        defer { Task { await client.close() } }
        var used: Set<String> = []

        /// Runs `template` both ways; the batch items must match (for mutations: status and reason).
        func both(_ template: String, path: String, http: [String: String], ttlv: [String: String]? = nil, samePayload: Bool = true,
                  line: UInt = #line) async throws -> (ResponseMessage, ResponseMessage) {
            used.insert(template)
            var body: [String: Any] = ["template": template]
            for (k, v) in http { body[k] = v }
            let a = try await clientAPI(h, path, body, line: line)
            let b = try await overTTLV(client, template, ttlv ?? http)
            XCTAssertEqual(a.batchItems.map(\.operation), b.batchItems.map(\.operation), template, line: line)
            XCTAssertEqual(a.batchItems.map(\.resultStatus), b.batchItems.map(\.resultStatus), template, line: line)
            XCTAssertEqual(a.batchItems.map(\.resultReason), b.batchItems.map(\.resultReason), template, line: line)
            XCTAssertTrue(a.batchItems.allSatisfy { $0.resultStatus == .success },
                          "\(template): \(a.batchItems.map { $0.resultMessage ?? "" })", line: line)
            if samePayload {
                let (ia, ib) = (try items(a), try items(b))
                XCTAssertEqual(ia, ib, template, line: line)
            }
            return (a, b)
        }
        func uid(_ m: ResponseMessage, _ i: Int = 0) throws -> String {
            guard case .textString(let text)? = try payloadField(m, i, .uniqueIdentifier) else {
                XCTFail("no Unique Identifier in item \(i)")
                return ""
            }
            return text
        }

        // Create: one key over each transport, then read each back over TTLV (same scope).
        let keyParams = ["algorithm": "AES", "length": "256", "usage_mask": "Encrypt Decrypt"]
        let (createdA, createdB) = try await both("create", path: "create", http: keyParams.merging(["name": "http-key"]) { $1 },
                                                  ttlv: keyParams.merging(["name": "ttlv-key"]) { $1 }, samePayload: false)
        let key = try uid(createdA), other = try uid(createdB)
        _ = try await client.activate(key)
        let got = try await client.get(key)
        XCTAssertEqual(got.uniqueIdentifier, key)

        // Reads by Unique Identifier and by Name give the same items both ways.
        let byID = ["unique_identifier": key], byName = ["name": "http-key"]
        _ = try await both("get", path: "get", http: byID)
        _ = try await both("getattribute", path: "getattributes", http: byID.merging(["attr_name": "Cryptographic Length"]) { $1 })
        _ = try await both("getattributes", path: "getattributes", http: byID)
        _ = try await both("getattributelist", path: "getattributelist", http: byID)
        _ = try await both("locate", path: "locate", http: [:])
        let (located, _) = try await both("locate_by_name", path: "locate", http: byName)
        XCTAssertEqual(try uid(located), key)
        _ = try await both("locate_get", path: "locate/get", http: byName)
        _ = try await both("locate_getattribute", path: "locate/getattributes", http: byName.merging(["attr_name": "State"]) { $1 })
        _ = try await both("locate_getattributes", path: "locate/getattributes", http: byName)
        _ = try await both("locate_getattributelist", path: "locate/getattributelist", http: byName)
        let plain = "00112233445566778899aabbccddeeff0011"
        let cipher = ["block_cipher_mode": "CBC", "padding_method": "PKCS5", "iv_counter_nonce": "000102030405060708090a0b0c0d0e0f"]
        let (encrypted, _) = try await both("locate_encrypt", path: "locate/encrypt", http: byName.merging(cipher) { $1 }.merging(["data": plain]) { $1 })
        guard case .byteString(let ciphertext)? = try payloadField(encrypted, 1, .data) else {
            return XCTFail("Encrypt returned no Data")
        }
        let hex = ciphertext.hex
        let (decrypted, _) = try await both("locate_decrypt", path: "locate/decrypt", http: byName.merging(cipher) { $1 }.merging(["data": hex]) { $1 })
        guard case .byteString(let clear)? = try payloadField(decrypted, 1, .data) else {
            return XCTFail("Decrypt returned no Data")
        }
        XCTAssertEqual(clear.hex, plain)

        // Mutations, each on its own key per transport: same results, and the effect is seen over TTLV.
        func pair(_ name: String) async throws -> (String, String) {
            (try await client.createAESKey(length: 128, name: "\(name)-h"), try await client.createAESKey(length: 128, name: "\(name)-t"))
        }
        let (a1, b1) = try await pair("attr")
        let added = ["attr_name": "x-colour", "attr_type": "TextString", "attr_value": "blue"]
        _ = try await both("addattribute", path: "addattribute", http: added.merging(["unique_identifier": a1]) { $1 },
                           ttlv: added.merging(["unique_identifier": b1]) { $1 }, samePayload: false)
        let modified = ["attr_name": "x-colour", "attr_type": "TextString", "attr_value": "green"]
        _ = try await both("modifyattribute", path: "modifyattribute", http: modified.merging(["unique_identifier": a1]) { $1 },
                           ttlv: modified.merging(["unique_identifier": b1]) { $1 }, samePayload: false)
        let sized = ["attr_name": "x-size", "attr_type": "Integer", "attr_value": "7"]
        _ = try await both("locate_addattribute", path: "locate/addattribute", http: sized.merging(["name": "attr-h"]) { $1 },
                           ttlv: sized.merging(["name": "attr-t"]) { $1 }, samePayload: false)
        let resized = ["attr_name": "x-size", "attr_type": "Integer", "attr_value": "8"]
        _ = try await both("locate_modifyattribute", path: "locate/modifyattribute", http: resized.merging(["name": "attr-h"]) { $1 },
                           ttlv: resized.merging(["name": "attr-t"]) { $1 }, samePayload: false)
        let (colourA, _) = try await both("getattribute", path: "getattributes", http: ["unique_identifier": a1, "attr_name": "x-colour"],
                                          ttlv: ["unique_identifier": b1, "attr_name": "x-colour"], samePayload: false)
        let colour = try items(colourA).description
        XCTAssertTrue(colour.contains("green"), colour)

        let reason = ["revocation_reason_code": "Unspecified"]
        for (template, path, byUID) in [("revoke", "revoke", true), ("revoke_destroy", "revoke/destroy", true),
                                        ("destroy", "destroy", true), ("locate_revoke", "locate/revoke", false),
                                        ("locate_revoke_destroy", "locate/revoke/destroy", false)] {
            let (x, y) = try await pair(template)
            for id in [x, y] where template.contains("revoke") { _ = try await client.activate(id) }
            let http = byUID ? ["unique_identifier": x] : ["name": "\(template)-h"]
            let ttlv = byUID ? ["unique_identifier": y] : ["name": "\(template)-t"]
            _ = try await both(template, path: path, http: http.merging(reason) { $1 }, ttlv: ttlv.merging(reason) { $1 }, samePayload: false)
            if template.hasSuffix("destroy") {
                do { _ = try await client.get(x); XCTFail("\(template) left \(x) readable") } catch {}
            }
        }
        XCTAssertEqual(used, Set(names), "every built-in template ran")
        _ = other
    }

    func testTheClientAPIAppliesTheRoleAndRefusesBadRequests() async throws {
        let h = try await startWithClientAPI()
        let auditFile = h.directory.appendingPathComponent("data/audit/audit.log").path
        try await expect(h, 204, "POST", "sys/audit/file", ["type": "file", "options": ["file_path": auditFile]])
        try await expect(h, 204, "POST", "kmip/scope/default/role/reader", ["operation_get": true, "operation_locate": true])
        // The role's flags apply: Create is Permission Denied, inside the XML.
        let denied = try await clientAPI(h, "create", ["algorithm": "AES", "length": "128", "usage_mask": "Encrypt", "name": "nope"],
                                         role: "reader")
        XCTAssertEqual(denied.batchItems.first?.resultStatus, .operationFailed)
        XCTAssertEqual(denied.batchItems.first?.resultReason, .permissionDenied)
        let located = try await clientAPI(h, "locate", ["name": "nope"], role: "reader")
        XCTAssertEqual(located.batchItems.first?.resultStatus, .success)
        // Audited as KMIP requests are: the refused Create and the Locate, with the role and an `api:` serial.
        var text = ""
        let audited = await eventually(5) {
            text = (try? String(contentsOfFile: auditFile, encoding: .utf8)) ?? ""
            return text.contains("\"kmip_response\"") && text.lowercased().contains("\"locate\"")
        }
        XCTAssertTrue(audited, "no KMIP audit entries for the client API:\n\(text)")
        let kmipLines = text.split(separator: "\n").filter { $0.contains("\"kmip_response\"") }
        XCTAssertTrue(kmipLines.contains { $0.contains("\"serial\":\"api:") && $0.contains("\"role\":\"reader\"") }, text)
        XCTAssertTrue(kmipLines.contains { $0.lowercased().contains("permission") }, text)

        // Every batch item's operation must be named in the path.
        try await expect(h, 400, "POST", "kmip/scope/default/role/admin/client/get", ["template": "create", "algorithm": "AES",
                         "length": "128", "usage_mask": "Encrypt", "name": "x"], mentioning: "create")
        try await expect(h, 400, "POST", "kmip/scope/default/role/admin/client/locate", ["template": "locate_get", "name": "x"],
                         mentioning: "get")
        try await expect(h, 400, "POST", "kmip/scope/default/role/admin/client/create", ["algorithm": "AES"], mentioning: "length")
        try await expect(h, 400, "POST", "kmip/scope/default/role/admin/client/create", ["template": "nosuch"], mentioning: "nosuch")
        try await expect(h, 400, "POST", "kmip/scope/default/role/admin/client/frobnicate", [:], mentioning: "frobnicate")
        try await expect(h, 400, "POST", "kmip/scope/default/role/admin/client/locate", ["template": "<KMIP><Nonsense/></KMIP>"])
        try await expect(h, 404, "POST", "kmip/scope/nosuch/role/admin/client/locate", [:])
        try await expect(h, 404, "POST", "kmip/scope/default/role/nosuch/client/locate", [:])

        // A parameter is a value, never markup: quotes and brackets stay inside the Name.
        let hostile = #"x"/></AttributeValue></Attribute><Attribute><AttributeName type="TextString" value="Object Type"#
        let hostileLocate = try await clientAPI(h, "locate", ["name": hostile])
        XCTAssertEqual(hostileLocate.batchItems.first?.resultStatus, .success)
        let created = try await clientAPI(h, "create", ["algorithm": "AES", "length": "128", "usage_mask": "Encrypt", "name": hostile])
        XCTAssertEqual(created.batchItems.first?.resultStatus, .success)
        let found = try await clientAPI(h, "locate", ["name": hostile])
        XCTAssertEqual(try payloadField(created, 0, .uniqueIdentifier), try payloadField(found, 0, .uniqueIdentifier))

        // A raw template with the caller's own placeholder, run as listed operations.
        let raw = try XCTUnwrap(KMIPClientTemplate.builtIn["locate_by_name"]?.xml).replacingOccurrences(of: "PARAMETER_name", with: "PARAMETER_altname")
        let custom = try await clientAPI(h, "locate", ["template": raw, "params": ["altname": hostile]])
        XCTAssertEqual(custom.batchItems.first?.resultStatus, .success)
        XCTAssertEqual(try items(custom), try items(found))
    }
}
