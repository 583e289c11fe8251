import XCTest
@testable import StrongroomCLI

/// `strongroom policy list|read|write|delete|fmt`, as Vault's CLI prints them.
final class PolicyCommandTests: XCTestCase {
    static let text = #"path "kmip/*" { capabilities = ["read"] }"#

    func testListReadWriteDelete() async throws {
        let list = StubTransport([.json(200, #"{"data":{"keys":["default","ops","root"]}}"#)])
        let listed = await makeRunner(list).policyList([])
        XCTAssertEqual(listed, CommandResult(stdout: "default\nops\nroot\n"))
        let listRequest = await list.requests.first
        XCTAssertEqual(listRequest?.url.path, "/v1/sys/policies/acl")
        XCTAssertEqual(listRequest?.url.query, "list=true")

        let read = StubTransport([.json(200, #"{"data":{"name":"ops","policy":"\npath \"kmip/*\" { capabilities = [\"read\"] }\n"}}"#)])
        let shown = await makeRunner(read).policyRead(["OPS"])
        XCTAssertEqual(shown, CommandResult(stdout: Self.text + "\n"))
        let readPath = await read.requests.first?.url.path
        XCTAssertEqual(readPath, "/v1/sys/policies/acl/ops", "the name is normalised before it is sent")
        let missing = await makeRunner(StubTransport([.json(404, #"{"errors":[]}"#)])).policyRead(["nope"])
        XCTAssertEqual(missing, CommandResult(stderr: "No policy named: nope\n", exitCode: 2))

        let write = StubTransport([HTTPResponse(status: 204)])
        let written = await makeRunner(write, sources: .fixed(files: ["ops.hcl": Self.text])).policyWrite(["ops", "ops.hcl"])
        XCTAssertEqual(written, CommandResult(stdout: "Success! Uploaded policy: ops\n"))
        let sent = await write.requests.first
        XCTAssertEqual(sent?.method, "PUT")
        XCTAssertEqual(sent?.url.path, "/v1/sys/policies/acl/ops")
        let body = try XCTUnwrap(sent?.body.flatMap { try JSONSerialization.jsonObject(with: $0) as? [String: String] })
        XCTAssertEqual(body, ["policy": Self.text])
        let stdin = StubTransport([HTTPResponse(status: 204)])
        let fromStdin = await makeRunner(stdin, sources: .fixed(stdin: Self.text)).policyWrite(["ops", "-"])
        XCTAssertEqual(fromStdin.stdout, "Success! Uploaded policy: ops\n")
        let noFile = await makeRunner(StubTransport()).policyWrite(["ops", "missing.hcl"])
        XCTAssertEqual(noFile.exitCode, 2)
        XCTAssertTrue(noFile.stderr.hasPrefix("Error opening policy file: "), noFile.stderr)
        let refused = await makeRunner(StubTransport([.json(400, #"{"errors":["failed to parse policy: path \"a\": invalid capability \"fly\""]}"#)]),
                                       sources: .fixed(files: ["bad.hcl": "x"])).policyWrite(["bad", "bad.hcl"])
        XCTAssertEqual(refused.exitCode, 2)
        XCTAssertTrue(refused.stderr.hasPrefix("Error uploading policy: "), refused.stderr)
        XCTAssertTrue(refused.stderr.contains(#"invalid capability "fly""#), refused.stderr)

        let delete = StubTransport([HTTPResponse(status: 204)])
        let deleted = await makeRunner(delete).policyDelete(["ops"])
        XCTAssertEqual(deleted, CommandResult(stdout: "Success! Deleted policy: ops\n"))
        let deleteMethod = await delete.requests.first?.method
        XCTAssertEqual(deleteMethod, "DELETE")

        let usage = await makeRunner(StubTransport()).policyWrite(["ops"])
        XCTAssertEqual(usage, CommandResult(stderr: "Not enough arguments (expected 2, got 1)\n", exitCode: 1))
    }

    func testFmtRewritesTheFileOrReportsTheParseError() throws {
        let messy = "# ops\npath \"kmip/*\" {\ncapabilities = [\"read\"]\n      comment = \"x\"\n}\n"
        var written: [String: String] = [:]
        let ok = CommandRunner.policyFormat(["p.hcl"], sources: .fixed(files: ["p.hcl": messy])) { path, data in
            written[path] = String(decoding: data, as: UTF8.self)
        }
        XCTAssertEqual(ok, CommandResult(stdout: "Success! Formatted policy: p.hcl\n"))
        let formatted = try XCTUnwrap(written["p.hcl"])
        XCTAssertTrue(formatted.hasPrefix("# ops\npath \"kmip/*\" {\n  capabilities = [\"read\"]\n"), formatted)
        XCTAssertTrue(formatted.contains("  comment      = \"x\""), formatted)

        var untouched = true
        let bad = CommandRunner.policyFormat(["b.hcl"], sources: .fixed(files: ["b.hcl": #"path "a" { capabilities = ["fly"] }"#])) { _, _ in
            untouched = false
        }
        XCTAssertEqual(bad.exitCode, 1)
        XCTAssertTrue(bad.stderr.contains(#"invalid capability "fly""#), bad.stderr)
        XCTAssertTrue(untouched)
    }
}
