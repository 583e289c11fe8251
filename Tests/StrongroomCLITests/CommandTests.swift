import XCTest
@testable import StrongroomCLI
import VaultFramework

/// The seed walkthrough and Vault's command behaviours, against a stub transport.
final class CommandTests: XCTestCase {
    func testSecretsEnableKMIP() async throws {
        let t = StubTransport([HTTPResponse(status: 204)])
        let r = await makeRunner(t).secretsEnable(["kmip"])
        XCTAssertEqual(r, CommandResult(stdout: "Success! Enabled the kmip secrets engine at: kmip/\n"))
        let sent = await t.requests
        XCTAssertEqual(sent.first?.method, "POST")
        XCTAssertEqual(sent.first?.url.path, "/v1/sys/mounts/kmip")
    }

    func testSecretsEnableWithPath() async throws {
        let t = StubTransport([HTTPResponse(status: 204)])
        let r = await makeRunner(t).secretsEnable(["kmip"], path: "kmip2")
        XCTAssertEqual(r.stdout, "Success! Enabled the kmip secrets engine at: kmip2/\n")
        let path = await t.requests.first?.url.path
        XCTAssertEqual(path, "/v1/sys/mounts/kmip2")
    }

    func testSecretsEnableError() async {
        let t = StubTransport([.json(400, #"{"errors":["path is already in use at kmip/"]}"#)])
        let r = await makeRunner(t).secretsEnable(["kmip"])
        XCTAssertEqual(r.exitCode, 2)
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(r.stderr, """
            Error enabling: Error making API request.

            URL: POST http://127.0.0.1:8200/v1/sys/mounts/kmip
            Code: 400. Errors:

            * path is already in use at kmip/

            """)
    }

    func testSecretsEnableArgumentCount() async {
        let none = await makeRunner(StubTransport()).secretsEnable([])
        XCTAssertEqual(none, CommandResult(stderr: "Not enough arguments (expected 1, got 0)\n", exitCode: 1))
        let two = await makeRunner(StubTransport()).secretsEnable(["kmip", "x"])
        XCTAssertEqual(two.stderr, "Too many arguments (expected 1, got 2)\n")
    }

    func testSecretsDisable() async {
        let t = StubTransport([HTTPResponse(status: 204)])
        let r = await makeRunner(t).secretsDisable(["kmip"])
        XCTAssertEqual(r, CommandResult(stdout: "Success! Disabled the secrets engine (if it existed) at: kmip/\n"))
        let sent = await t.requests
        XCTAssertEqual(sent.first?.method, "DELETE")
    }

    func testSecretsList() async {
        let body = #"{"data":{"kmip/":{"type":"kmip","accessor":"kmip_9f2a","description":""},"sys/":{"type":"system","accessor":"system_11","description":"system endpoints"}},"kmip/":{"type":"kmip"}}"#
        let r = await makeRunner(StubTransport([.json(200, body)])).secretsList()
        XCTAssertEqual(r.stdout, """
            Path     Type      Accessor     Description
            ----     ----      --------     -----------
            kmip/    kmip      kmip_9f2a    n/a
            sys/     system    system_11    system endpoints

            """)
        let json = await makeRunner(StubTransport([.json(200, body)]), format: "json").secretsList()
        XCTAssertTrue(json.stdout.hasPrefix("{\n  \"kmip/\": {\n    \"accessor\": \"kmip_9f2a\","), json.stdout)
    }

    func testWriteConfigPrintsSuccess() async throws {
        let t = StubTransport([HTTPResponse(status: 204)])
        let r = await makeRunner(t).write(["kmip/config", "listen_addrs=0.0.0.0:5696"], force: false)
        XCTAssertEqual(r, CommandResult(stdout: "Success! Data written to: kmip/config\n"))
        let sent = await t.requests
        XCTAssertEqual(sent.first?.method, "PUT")
        XCTAssertEqual(sent.first?.url.absoluteString, "http://127.0.0.1:8200/v1/kmip/config")
        XCTAssertEqual(sent.first?.body.map { String(decoding: $0, as: UTF8.self) }, #"{"listen_addrs":"0.0.0.0:5696"}"#)
    }

    func testWriteForceWithNoData() async throws {
        let t = StubTransport([HTTPResponse(status: 204)])
        let r = await makeRunner(t).write(["kmip/scope/my-service"], force: true)
        XCTAssertEqual(r.stdout, "Success! Data written to: kmip/scope/my-service\n")
        let body = await t.requests.first?.body
        XCTAssertEqual(body.map { String(decoding: $0, as: UTF8.self) }, "{}")
    }

    func testWriteWithoutDataOrForceIsRefused() async {
        let t = StubTransport()
        let r = await makeRunner(t).write(["kmip/scope/my-service"], force: false)
        XCTAssertEqual(r, CommandResult(stderr: "Must supply data or use -force\n", exitCode: 1))
        let sent = await t.requests
        XCTAssertTrue(sent.isEmpty)
    }

    func testWriteRole() async {
        let t = StubTransport([HTTPResponse(status: 204)])
        let r = await makeRunner(t).write(["kmip/scope/my-service/role/admin", "operation_all=true"], force: false)
        XCTAssertEqual(r.stdout, "Success! Data written to: kmip/scope/my-service/role/admin\n")
    }

    func testWriteSuccessIsSilentInJSON() async {
        let r = await makeRunner(StubTransport([HTTPResponse(status: 204)]), format: "json").write(["kmip/scope/x"], force: true)
        XCTAssertEqual(r, CommandResult())
    }

    func testGenerateCredentialPrintsTheTable() async throws {
        let t = StubTransport([.json(200, Seed.credentialJSON)])
        let r = await makeRunner(t).write(["kmip/scope/my-service/role/admin/credential/generate"], force: true)
        XCTAssertEqual(r.exitCode, 0)
        XCTAssertEqual(r.stdout, """
            Key              Value
            ---              -----
            ca_chain         [\(Seed.intermediate) \(Seed.root)]
            certificate      \(Seed.certificate)
            private_key      \(Seed.privateKey)
            serial_number    \(Seed.serial)

            """)
    }

    func testGenerateCredentialJSON() async throws {
        let t = StubTransport([.json(200, Seed.credentialJSON)])
        let r = await makeRunner(t, format: "json").write(["kmip/scope/finance/role/accounting/credential/generate", "format=pem"], force: false)
        let printed = try VaultValue.parse(r.stdout)
        XCTAssertEqual(printed["data"]?["certificate"], .string(Seed.certificate))
        XCTAssertEqual(printed["data"]?["ca_chain"]?.listValue?.count, 2)
        XCTAssertTrue(r.stdout.hasPrefix("{\n  \"request_id\": \"8a0b3d2e\",\n  \"lease_id\": \"\",\n  \"lease_duration\": 0,\n  \"renewable\": false,\n  \"data\": {\n    \"ca_chain\": [\n      \"-----BEGIN CERTIFICATE-----\\nMIICNTCC"), r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix("  },\n  \"warnings\": null\n}\n"), r.stdout)
    }

    func testSignWithCSRFromArgument() async throws {
        let csr = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----"
        let t = StubTransport([.json(200, Seed.credentialJSON)])
        _ = await makeRunner(t).write(["kmip/scope/my-service/role/admin/credential/sign", "csr=" + csr], force: false)
        let sentBody = await t.requests.first?.body
        let body = try VaultValue.parse(try XCTUnwrap(sentBody))
        XCTAssertEqual(body, .object(["csr": .string(csr)]))
    }

    func testWriteError() async {
        let t = StubTransport([.json(400, #"{"errors":["unknown field \"bogus\""]}"#)])
        let r = await makeRunner(t).write(["kmip/config", "bogus=1"], force: false)
        XCTAssertEqual(r.exitCode, 2)
        XCTAssertEqual(r.stderr, """
            Error writing data to kmip/config: Error making API request.

            URL: PUT http://127.0.0.1:8200/v1/kmip/config
            Code: 400. Errors:

            * unknown field "bogus"

            """)
    }

    func testWriteBadPair() async {
        let r = await makeRunner(StubTransport()).write(["kmip/config", "oops"], force: false)
        XCTAssertEqual(r, CommandResult(stderr: "Failed to parse K=V data: Invalid key/value pair 'oops': format must be key=value\n", exitCode: 1))
    }

    func testReadCA() async {
        let t = StubTransport([.json(200, #"{"data":{"ca_pem":"-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n"}}"#)])
        let r = await makeRunner(t).read(["kmip/ca"])
        XCTAssertEqual(r.stdout, "Key       Value\n---       -----\nca_pem    -----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n")
    }

    func testReadField() async {
        let body = #"{"data":{"ca_pem":"PEM\n","n":5,"list":["a","b"]}}"#
        let piped = await makeRunner(StubTransport([.json(200, body)]), field: "ca_pem").read(["kmip/ca"])
        XCTAssertEqual(piped, CommandResult(stdout: "PEM\n"))
        let tty = await makeRunner(StubTransport([.json(200, body)]), field: "n", terminal: true).read(["kmip/ca"])
        XCTAssertEqual(tty.stdout, "5\n")
        let list = await makeRunner(StubTransport([.json(200, body)]), field: "list").read(["kmip/ca"])
        XCTAssertEqual(list.stdout, "[a b]")
        let listJSON = await makeRunner(StubTransport([.json(200, body)]), format: "json", field: "list").read(["kmip/ca"])
        XCTAssertEqual(listJSON.stdout, "[\n  \"a\",\n  \"b\"\n]")
        let missing = await makeRunner(StubTransport([.json(200, body)]), field: "nope").read(["kmip/ca"])
        XCTAssertEqual(missing, CommandResult(stderr: "Field \"nope\" not present in secret\n", exitCode: 1))
    }

    func testRead404() async {
        let r = await makeRunner(StubTransport([.json(404, #"{"errors":[]}"#)])).read(["kmip/scope/nope/role/x"])
        XCTAssertEqual(r, CommandResult(stderr: "No value found at kmip/scope/nope/role/x\n", exitCode: 2))
    }

    func testReadError() async {
        let r = await makeRunner(StubTransport([.json(400, #"{"errors":["no config"]}"#)])).read(["kmip/ca"])
        XCTAssertEqual(r.exitCode, 2)
        XCTAssertTrue(r.stderr.hasPrefix("Error reading kmip/ca: Error making API request.\n\nURL: GET http://127.0.0.1:8200/v1/kmip/ca\nCode: 400. Errors:\n\n* no config"))
    }

    func testReadArgumentsAreQueryParameters() async {
        let t = StubTransport([.json(200, #"{"data":{"serial_number":"1"}}"#)])
        _ = await makeRunner(t).read(["kmip/scope/s/role/r/credential/lookup", "serial_number=1234"])
        let url = await t.requests.first?.url.absoluteString
        XCTAssertEqual(url, "http://127.0.0.1:8200/v1/kmip/scope/s/role/r/credential/lookup?serial_number=1234")
    }

    func testReadJSON() async {
        let r = await makeRunner(StubTransport([.json(200, #"{"request_id":"x","data":{"b":1}}"#)]), format: "json").read(["kmip/config"])
        XCTAssertEqual(r.stdout, """
            {
              "request_id": "x",
              "lease_id": "",
              "lease_duration": 0,
              "renewable": false,
              "data": {
                "b": 1
              },
              "warnings": null
            }

            """)
    }

    func testInvalidFormat() async {
        let r = await makeRunner(StubTransport([.json(200, #"{"data":{"b":1}}"#)]), format: "yaml").read(["kmip/config"])
        XCTAssertEqual(r, CommandResult(stderr: "Invalid output format: yaml\n", exitCode: 1))
    }

    func testWarningsGoToStderr() async {
        let r = await makeRunner(StubTransport([.json(200, #"{"data":{"a":"b"},"warnings":["careful"]}"#)])).read(["x"])
        XCTAssertEqual(r.stderr, "WARNING! The following warnings were returned from Vault:\n\n  * careful\n\n")
        XCTAssertEqual(r.stdout, "Key    Value\n---    -----\na      b\n")
    }

    func testList() async {
        let t = StubTransport([.json(200, #"{"data":{"keys":["my-service","finance"]}}"#)])
        let r = await makeRunner(t).list(["kmip/scope"])
        XCTAssertEqual(r, CommandResult(stdout: "Keys\n----\nfinance\nmy-service\n"))
        let url = await t.requests.first?.url.absoluteString
        XCTAssertEqual(url, "http://127.0.0.1:8200/v1/kmip/scope?list=true")
    }

    func testListJSONKeepsServerOrder() async {
        let r = await makeRunner(StubTransport([.json(200, #"{"data":{"keys":["b","a"]}}"#)]), format: "json").list(["kmip/scope"])
        XCTAssertEqual(r.stdout, "[\n  \"b\",\n  \"a\"\n]\n")
    }

    func testListNothing() async {
        let r = await makeRunner(StubTransport([.json(404, #"{"errors":[]}"#)])).list(["kmip/scope"])
        XCTAssertEqual(r, CommandResult(stderr: "No value found at kmip/scope/\n", exitCode: 2))
        let json = await makeRunner(StubTransport([.json(404, #"{"errors":[]}"#)]), format: "json").list(["kmip/scope"])
        XCTAssertEqual(json, CommandResult(stdout: "{}\n", exitCode: 2))
        let noKeys = await makeRunner(StubTransport([.json(200, #"{"data":{}}"#)])).list(["kmip/scope"])
        XCTAssertEqual(noKeys, CommandResult(stderr: "No entries found at kmip/scope/\n", exitCode: 2))
    }

    func testListError() async {
        let r = await makeRunner(StubTransport([.json(403, #"{"errors":["permission denied"]}"#)])).list(["kmip/scope"])
        XCTAssertEqual(r.exitCode, 2)
        XCTAssertTrue(r.stderr.hasPrefix("Error listing kmip/scope/: Error making API request.\n\nURL: GET http://127.0.0.1:8200/v1/kmip/scope?list=true\nCode: 403."), r.stderr)
    }

    func testDeleteWithForce() async {
        let t = StubTransport([HTTPResponse(status: 204)])
        let r = await makeRunner(t).delete(["kmip/scope/x", "force=true"])
        XCTAssertEqual(r, CommandResult(stdout: "Success! Data deleted (if it existed) at: kmip/scope/x\n"))
        let sent = await t.requests
        XCTAssertEqual(sent.first?.method, "DELETE")
        XCTAssertEqual(sent.first?.url.absoluteString, "http://127.0.0.1:8200/v1/kmip/scope/x?force=true")
        XCTAssertNil(sent.first?.body)
    }

    func testDeleteError() async {
        let r = await makeRunner(StubTransport([.json(400, #"{"errors":["scope has objects; use force"]}"#)])).delete(["kmip/scope/x"])
        XCTAssertEqual(r.exitCode, 2)
        XCTAssertTrue(r.stderr.hasPrefix("Error deleting kmip/scope/x: Error making API request.\n\nURL: DELETE http://127.0.0.1:8200/v1/kmip/scope/x\n"))
    }

    func testStdinJSONBody() async throws {
        let t = StubTransport([HTTPResponse(status: 204)])
        let sources = ArgumentSources.fixed(stdin: #"{"listen_addrs":["0.0.0.0:5696"],"tls_ca_key_bits":256}"#)
        _ = await makeRunner(t, sources: sources).write(["kmip/config", "-"], force: false)
        let body = await t.requests.first?.body
        XCTAssertEqual(body.map { String(decoding: $0, as: UTF8.self) }, #"{"listen_addrs":["0.0.0.0:5696"],"tls_ca_key_bits":256}"#)
    }

    func testConnectionFailure() async {
        let r = await makeRunner(StubTransport(failure: "Could not connect to the server.")).write(["kmip/config", "a=b"], force: false)
        XCTAssertEqual(r, CommandResult(stderr: "Error writing data to kmip/config: PUT http://127.0.0.1:8200/v1/kmip/config: Could not connect to the server.\n", exitCode: 2))
    }

    func testTokenIsNeverPrinted() async {
        let r = await makeRunner(StubTransport([.json(403, #"{"errors":["permission denied"]}"#)])).read(["kmip/ca"])
        XCTAssertFalse(r.stderr.contains("s.test"))
    }
}
