import XCTest
@testable import StrongroomCLI
import VaultFramework

final class ClientConfigurationTests: XCTestCase {
    func testDefaults() {
        let c = ClientConfiguration.resolve(environment: [:])
        XCTAssertEqual(c, ClientConfiguration(address: "http://127.0.0.1:8200", token: nil, caCert: nil, tlsSkipVerify: false))
    }

    func testStrongroomVariablesWinOverVaults() {
        let env = ["STRONGROOM_ADDR": "http://sr:8200", "VAULT_ADDR": "http://vault:8200",
                   "STRONGROOM_TOKEN": "s.sr", "VAULT_TOKEN": "s.vault",
                   "STRONGROOM_CACERT": "/sr.pem", "VAULT_CACERT": "/vault.pem"]
        let c = ClientConfiguration.resolve(environment: env)
        XCTAssertEqual(c.address, "http://sr:8200")
        XCTAssertEqual(c.token, "s.sr")
        XCTAssertEqual(c.caCert, "/sr.pem")
    }

    func testVaultVariablesAreTheFallback() {
        let c = ClientConfiguration.resolve(environment: ["VAULT_ADDR": "https://vault:8200/", "VAULT_TOKEN": "s.vault",
                                                          "VAULT_SKIP_VERIFY": "true", "STRONGROOM_TOKEN": ""])
        XCTAssertEqual(c.address, "https://vault:8200")
        XCTAssertEqual(c.token, "s.vault")
        XCTAssertTrue(c.tlsSkipVerify)
    }

    func testFlagsWinOverEnvironment() {
        let c = ClientConfiguration.resolve(address: "http://flag:1", caCert: "/flag.pem", tlsSkipVerify: true,
                                            environment: ["STRONGROOM_ADDR": "http://sr:8200", "STRONGROOM_CACERT": "/sr.pem"])
        XCTAssertEqual(c.address, "http://flag:1")
        XCTAssertEqual(c.caCert, "/flag.pem")
        XCTAssertTrue(c.tlsSkipVerify)
    }

    func testFormatPrecedence() {
        XCTAssertEqual(ClientConfiguration.format(nil, environment: [:]), "table")
        XCTAssertEqual(ClientConfiguration.format(nil, environment: ["VAULT_FORMAT": "json"]), "json")
        XCTAssertEqual(ClientConfiguration.format(nil, environment: ["VAULT_FORMAT": "json", "STRONGROOM_FORMAT": "table"]), "table")
        XCTAssertEqual(ClientConfiguration.format("JSON", environment: ["STRONGROOM_FORMAT": "table"]), "json")
    }
}

final class VaultClientTests: XCTestCase {
    func client(_ transport: StubTransport, token: String? = "s.root") -> VaultClient {
        VaultClient(configuration: ClientConfiguration(address: "http://127.0.0.1:8200", token: token), transport: transport)
    }

    func testRequestShape() throws {
        let c = client(StubTransport())
        let r = try c.request(method: "PUT", path: "/kmip/config/", body: .object(["listen_addrs": .string("0.0.0.0:5696")]))
        XCTAssertEqual(r.method, "PUT")
        XCTAssertEqual(r.url.absoluteString, "http://127.0.0.1:8200/v1/kmip/config")
        XCTAssertEqual(r.headers["X-Vault-Token"], "s.root")
        XCTAssertEqual(r.headers["X-Vault-Request"], "true")
        XCTAssertEqual(r.headers["Content-Type"], "application/json")
        XCTAssertEqual(r.body.map { String(decoding: $0, as: UTF8.self) }, #"{"listen_addrs":"0.0.0.0:5696"}"#)
    }

    func testNoTokenNoHeader() throws {
        let r = try client(StubTransport(), token: nil).request(method: "GET", path: "kmip/ca")
        XCTAssertNil(r.headers["X-Vault-Token"])
        XCTAssertNil(r.body)
    }

    func testQueryIsSortedAndEscaped() throws {
        let r = try client(StubTransport()).request(method: "GET", path: "kmip/x", query: ["z": ["a b"], "a": ["1", "&2"]])
        XCTAssertEqual(r.url.absoluteString, "http://127.0.0.1:8200/v1/kmip/x?a=1&a=%262&z=a+b")
    }

    func testListIsGetWithListTrue() async throws {
        let t = StubTransport([.json(200, #"{"data":{"keys":["a"]}}"#)])
        let s = try await client(t).list("kmip/scope/")
        XCTAssertEqual(s?.data?["keys"], .list([.string("a")]))
        let sent = await t.requests
        XCTAssertEqual(sent.map(\.method), ["GET"])
        XCTAssertEqual(sent.first?.url.absoluteString, "http://127.0.0.1:8200/v1/kmip/scope?list=true")
    }

    func testRead404IsAbsence() async throws {
        let t = StubTransport([.json(404, #"{"errors":[]}"#)])
        let s = try await client(t).read("kmip/ca")
        XCTAssertNil(s)
    }

    func testRead404WithDataIsASecret() async throws {
        let t = StubTransport([.json(404, #"{"data":{"k":"v"}}"#)])
        let s = try await client(t).read("kmip/x")
        XCTAssertEqual(s?.data, ["k": .string("v")])
    }

    func testErrorsAreVaultsText() async {
        let t = StubTransport([.json(400, #"{"errors":["invalid listen address \"nope\""]}"#)])
        do {
            _ = try await client(t).write("kmip/config", data: ["listen_addrs": .string("nope")])
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.description, """
                Error making API request.

                URL: PUT http://127.0.0.1:8200/v1/kmip/config
                Code: 400. Errors:

                * invalid listen address "nope"
                """)
        }
    }

    func testNonJSONErrorIsRawMessage() {
        let e = VaultAPIError(method: "GET", url: "http://h/v1/x", status: 502, body: Data("Bad Gateway".utf8))
        XCTAssertEqual(e.description, "Error making API request.\n\nURL: GET http://h/v1/x\nCode: 502. Raw Message:\n\nBad Gateway")
    }

    func testMultipleErrorsFollowEachOther() {
        let e = VaultAPIError(method: "GET", url: "u", status: 403, body: Data(#"{"errors":["a","b"]}"#.utf8))
        XCTAssertTrue(e.description.hasSuffix("Code: 403. Errors:\n\n* a* b"))
    }

    func testWriteWith204IsNil() async throws {
        let t = StubTransport([HTTPResponse(status: 204)])
        let s = try await client(t).write("kmip/scope/my-service", data: [:])
        XCTAssertNil(s)
        let body = await t.requests.first?.body
        XCTAssertEqual(body.map { String(decoding: $0, as: UTF8.self) }, "{}")
    }

    func testMountRequests() async throws {
        let t = StubTransport([HTTPResponse(status: 204), HTTPResponse(status: 204)])
        try await client(t).mount("kmip2", type: "kmip", description: "keys")
        try await client(t).unmount("kmip2")
        let sent = await t.requests
        XCTAssertEqual(sent.map(\.method), ["POST", "DELETE"])
        XCTAssertEqual(sent.map(\.url.path), ["/v1/sys/mounts/kmip2", "/v1/sys/mounts/kmip2"])
        let body = try VaultValue.parse(try XCTUnwrap(sent[0].body))
        XCTAssertEqual(body["type"], .string("kmip"))
        XCTAssertEqual(body["description"], .string("keys"))
    }

    func testTransportFailure() async {
        let t = StubTransport(failure: "connection refused")
        do {
            _ = try await client(t).read("kmip/ca")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.description, "GET http://127.0.0.1:8200/v1/kmip/ca: connection refused")
        }
    }
}

/// The CLI's proxy settings: Vault's variables, then Go's `ProxyFromEnvironment` rules.
final class ProxyTests: XCTestCase {
    func proxy(_ address: String, _ env: [String: String]) -> String? {
        ClientConfiguration.resolve(address: address, environment: env).proxy
    }

    func testProxyResolution() {
        XCTAssertNil(proxy("https://vault.example:8200", [:]))
        XCTAssertEqual(proxy("https://vault.example:8200", ["HTTPS_PROXY": "http://p:3128"]), "http://p:3128")
        XCTAssertEqual(proxy("https://vault.example:8200", ["https_proxy": "http://p:3128"]), "http://p:3128")
        XCTAssertNil(proxy("https://vault.example:8200", ["HTTP_PROXY": "http://p:3128"]), "HTTP_PROXY is for http addresses")
        XCTAssertEqual(proxy("http://vault.example:8200", ["HTTP_PROXY": "http://p:3128"]), "http://p:3128")
        // NO_PROXY: the name and its subdomains, a leading dot, `*`; loopback is never proxied.
        XCTAssertNil(proxy("https://vault.example:8200", ["HTTPS_PROXY": "http://p", "NO_PROXY": "other, example"]))
        XCTAssertNil(proxy("https://kmip.vault.example", ["HTTPS_PROXY": "http://p", "no_proxy": ".vault.example"]))
        XCTAssertEqual(proxy("https://notexample", ["HTTPS_PROXY": "http://p", "NO_PROXY": "example"]), "http://p")
        XCTAssertNil(proxy("https://vault.example", ["HTTPS_PROXY": "http://p", "NO_PROXY": "*"]))
        XCTAssertNil(proxy("http://127.0.0.1:8200", ["HTTP_PROXY": "http://p"]))
        XCTAssertNil(proxy("http://localhost:8200", ["HTTP_PROXY": "http://p"]))
        // Vault's own variable applies to every address.
        XCTAssertEqual(proxy("http://127.0.0.1:8200", ["VAULT_PROXY_ADDR": "http://v:1"]), "http://v:1")
        XCTAssertEqual(proxy("https://a", ["VAULT_HTTP_PROXY": "http://v:2", "HTTPS_PROXY": "http://p"]), "http://v:2")
    }

    /// The client opens a tunnel through the proxy (CONNECT, with the proxy's credentials) rather
    /// than connecting to the address. The stub proxy answers and hangs up, so the request fails.
    func testRequestsGoThroughTheProxy() async throws {
        let proxy = try StubHTTPServer { _ in (403, "") }
        defer { proxy.stop() }
        let transport = AsyncHTTPClientTransport(proxy: "http://op:s%3Acret@127.0.0.1:\(proxy.port)", timeout: .seconds(10))
        do {
            _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "http://vault.invalid:8200/v1/sys/health")!))
            XCTFail("the stub proxy refuses the tunnel")
        } catch is HTTPTransportError {}
        let seen = try XCTUnwrap(proxy.requests.first)
        XCTAssertEqual(seen.method, "CONNECT")
        XCTAssertEqual(seen.target, "vault.invalid:8200")
        XCTAssertEqual(seen.headers["proxy-authorization"], "Basic " + Data("op:s:cret".utf8).base64EncodedString())
        XCTAssertThrowsError(try AsyncHTTPClientTransport.proxy("socks5://p:1080"))
    }
}
