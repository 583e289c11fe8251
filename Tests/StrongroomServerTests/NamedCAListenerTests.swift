import Foundation
import KMIP
import KMIPClient
import KMIPTestSupport
import StrongroomServer
import XCTest

/// Vault 2.0's named CAs, named listeners and role `ca` (reference vault-2-kmip-api.md §3–5), end to
/// end on an in-process dev server: the API over HTTP, KMIP over mutual TLS, and certificates made
/// with `openssl` that Strongroom never saw.
extension ServerAPITests {
    typealias Credential = Harness.Credential

    // MARK: Helpers

    /// A CA made with `openssl` (EC P-256, CA:TRUE) and a way to issue client certificates under it.
    struct ExternalCA {
        let directory: URL
        var pem: String { (try? String(contentsOf: directory.appendingPathComponent("ca.pem"), encoding: .utf8)) ?? "" }

        init(in directory: URL, name: String = "External Test CA") throws {
            try XCTSkipUnless(OpenSSLTool.isInstalled, "openssl is not installed")
            self.directory = directory
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try OpenSSLTool.run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca.key"], in: directory)
            try OpenSSLTool.run(["req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=\(name)", "-days", "30", "-out", "ca.pem",
                                 "-addext", "basicConstraints=critical,CA:TRUE",
                                 "-addext", "keyUsage=critical,keyCertSign,cRLSign"], in: directory)
        }

        /// A client certificate with `subject` (openssl's `/OU=…/CN=…` form), EKU clientAuth.
        func issue(_ subject: String, as name: String, clientAuth: Bool = true) throws -> Credential {
            let ext = directory.appendingPathComponent("\(name).ext")
            try (clientAuth ? "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n" : "extendedKeyUsage=serverAuth\n")
                .write(to: ext, atomically: true, encoding: .utf8)
            try OpenSSLTool.run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "\(name).key"], in: directory)
            try OpenSSLTool.run(["req", "-new", "-key", "\(name).key", "-subj", subject, "-out", "\(name).csr"], in: directory)
            try OpenSSLTool.run(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                                 "-set_serial", "\(UInt32.random(in: 1...UInt32.max))", "-days", "7",
                                 "-extfile", "\(name).ext", "-out", "\(name).pem"], in: directory)
            return Credential(certificate: try String(contentsOf: directory.appendingPathComponent("\(name).pem"), encoding: .utf8),
                              privateKey: try String(contentsOf: directory.appendingPathComponent("\(name).key"), encoding: .utf8),
                              serial: "")
        }
    }

    /// `POST <path>` expecting `status`; returns the reply.
    @discardableResult
    func expect(_ h: Harness, _ status: Int, _ method: String, _ path: String, _ body: [String: Any]? = nil,
                mentioning: String? = nil, file: StaticString = #filePath, line: UInt = #line) async throws -> Harness.Reply {
        let reply = try await h.api(method, path, body)
        XCTAssertEqual(reply.status, status, "\(method) \(path): \(reply.summary)", file: file, line: line)
        if let mentioning {
            XCTAssertTrue(reply.errors.joined().contains(mentioning), "\(method) \(path) error mentions \(mentioning): \(reply.summary)",
                          file: file, line: line)
        }
        return reply
    }

    /// `expect` and its `data`, which must be there.
    func expectData(_ h: Harness, _ status: Int, _ method: String, _ path: String, _ body: [String: Any]? = nil,
                    file: StaticString = #filePath, line: UInt = #line) async throws -> [String: Any] {
        let reply = try await expect(h, status, method, path, body, file: file, line: line)
        return try XCTUnwrap(reply.data, reply.summary, file: file, line: line)
    }

    /// A role allowed everything, in `ca`'s name, and a credential generated for it.
    func roleCredential(_ h: Harness, scope: String, role: String, ca: String?, body: [String: Any] = ["operation_all": true]) async throws -> Credential {
        var definition = body
        if let ca { definition["ca"] = ca }
        try await expect(h, 204, "POST", "kmip/scope/\(scope)/role/\(role)", definition)
        let g = try await expect(h, 200, "POST", "kmip/scope/\(scope)/role/\(role)/credential/generate")
        let data = try XCTUnwrap(g.data)
        return Credential(certificate: try XCTUnwrap(data["certificate"] as? String),
                          privateKey: try XCTUnwrap(data["private_key"] as? String),
                          serial: try XCTUnwrap(data["serial_number"] as? String))
    }

    /// Whether `openssl s_client` completes a handshake with `port` limited to `version`
    /// (`-tls1_2` / `-tls1_3`, or nil for any); returns the protocol it reports, nil on failure.
    func handshakeProtocol(port: Int, _ version: String?, ca: String, _ credential: Credential, in directory: URL) throws -> String? {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try ca.write(to: directory.appendingPathComponent("s-ca.pem"), atomically: true, encoding: .utf8)
        try credential.certificate.write(to: directory.appendingPathComponent("s-cert.pem"), atomically: true, encoding: .utf8)
        try credential.privateKey.write(to: directory.appendingPathComponent("s-key.pem"), atomically: true, encoding: .utf8)
        var arguments = ["s_client", "-connect", "127.0.0.1:\(port)", "-CAfile", "s-ca.pem", "-cert", "s-cert.pem",
                         "-key", "s-key.pem", "-verify_return_error", "-brief"]
        if let version { arguments.append(version) }
        let (status, output) = try OpenSSLTool.execute(arguments, input: "", in: directory)
        guard status == 0, let line = output.split(separator: "\n").first(where: { $0.contains("Protocol version") }) else { return nil }
        return line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    // MARK: Named CAs

    func testNamedCAsGenerateImportReadListUpdateDelete() async throws {
        let h = try await start()
        // Generated: key type and bits required; Vault's sizes; 365 days by default.
        try await expect(h, 400, "POST", "kmip/ca/c1/generate", ["key_bits": 256], mentioning: "key_type")
        try await expect(h, 400, "POST", "kmip/ca/c1/generate", ["key_type": "ec"], mentioning: "key_bits")
        try await expect(h, 400, "POST", "kmip/ca/c1/generate", ["key_type": "rsa", "key_bits": 256], mentioning: "2048")
        try await expect(h, 400, "POST", "kmip/ca/c1/generate", ["key_type": "dsa", "key_bits": 256], mentioning: "key_type")
        let generated = try await expectData(h, 200, "POST", "kmip/ca/c1/generate", ["key_type": "ec", "key_bits": 256])
        XCTAssertEqual(generated["key_type"] as? String, "ec")
        XCTAssertEqual(generated["key_bits"] as? Int, 256)
        XCTAssertEqual(generated["ttl"] as? Int, 365 * 24 * 3600)
        XCTAssertEqual(generated["imported"] as? Bool, false)
        let chain = try XCTUnwrap(generated["ca_chain"] as? [String])
        XCTAssertEqual(chain.count, 2)
        XCTAssertEqual(generated["certificate"] as? String, chain[0])
        XCTAssertEqual(generated["ca_pem"] as? String, chain.joined(separator: "\n") + "\n")
        XCTAssertFalse((generated["serial_number"] as? String ?? "").isEmpty)
        let dir = h.directory.appendingPathComponent("ca-check")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try chain[0].write(to: dir.appendingPathComponent("c1.pem"), atomically: true, encoding: .utf8)
        if OpenSSLTool.isInstalled {
            // Valid 364 days from now, not 366.
            XCTAssertEqual(try OpenSSLTool.execute(["x509", "-in", "c1.pem", "-noout", "-checkend", "\(364 * 86400)"], in: dir).status, 0)
            XCTAssertNotEqual(try OpenSSLTool.execute(["x509", "-in", "c1.pem", "-noout", "-checkend", "\(366 * 86400)"], in: dir).status, 0)
            XCTAssertTrue(try OpenSSLTool.run(["x509", "-in", "c1.pem", "-noout", "-subject"], in: dir).contains("c1-intermediate"))
        }
        try await expect(h, 400, "POST", "kmip/ca/c1/generate", ["key_type": "ec", "key_bits": 256], mentioning: "already exists")
        let hours = try await expectData(h, 200, "POST", "kmip/ca/c2/generate",
                                                   ["key_type": "rsa", "key_bits": 2048, "ttl": "48h"])
        XCTAssertEqual(hours["ttl"] as? Int, 48 * 3600)
        XCTAssertEqual(hours["key_type"] as? String, "rsa")

        // Read, list; the legacy CA stays at GET kmip/ca and is not listed.
        let read = try await expectData(h, 200, "GET", "kmip/ca/c1")
        XCTAssertEqual(read["serial_number"] as? String, generated["serial_number"] as? String)
        XCTAssertEqual(read["ca_pem"] as? String, generated["ca_pem"] as? String)
        try await expect(h, 404, "GET", "kmip/ca/nosuch")
        let awaited1 = try await expect(h, 200, "LIST", "kmip/ca")
        XCTAssertEqual(awaited1.data?["keys"] as? [String], ["c1", "c2"])
        let legacy = try await h.caPEM("kmip")
        XCTAssertNotEqual(legacy, read["ca_pem"] as? String)
        // A generated CA has nothing to update.
        try await expect(h, 400, "POST", "kmip/ca/c1", ["scope_name": "s1"], mentioning: "generated")

        // Imported: exactly one of each pair, CN/O/OU/UID, CA certificates only.
        let external = try ExternalCA(in: h.directory.appendingPathComponent("external"))
        let pem = external.pem
        try await expect(h, 400, "POST", "kmip/ca/imp/import", ["scope_field": "OU", "role_field": "CN"], mentioning: "ca_pem")
        try await expect(h, 400, "POST", "kmip/ca/imp/import", ["ca_pem": pem, "role_field": "CN"], mentioning: "scope_name")
        try await expect(h, 400, "POST", "kmip/ca/imp/import", ["ca_pem": pem, "scope_name": "s", "scope_field": "OU", "role_field": "CN"],
                         mentioning: "scope_name")
        try await expect(h, 400, "POST", "kmip/ca/imp/import", ["ca_pem": pem, "scope_field": "XYZ", "role_field": "CN"],
                         mentioning: "scope_field")
        try await expect(h, 400, "POST", "kmip/ca/imp/import", ["ca_pem": pem, "scope_field": "OU"], mentioning: "role_name")
        let leaf = try external.issue("/OU=s1/CN=r1", as: "leaf")
        try await expect(h, 400, "POST", "kmip/ca/imp/import", ["ca_pem": leaf.certificate, "scope_field": "OU", "role_field": "CN"],
                         mentioning: "not a CA certificate")
        try await expect(h, 400, "POST", "kmip/ca/imp/import", ["ca_pem": "not pem", "scope_field": "OU", "role_field": "CN"])
        let imported = try await expectData(h, 200, "POST", "kmip/ca/imp/import",
                                                      ["ca_pem": pem, "scope_field": "ou", "role_field": "CN"])
        XCTAssertEqual(imported["imported"] as? Bool, true)
        XCTAssertEqual(imported["scope_field"] as? String, "OU")
        XCTAssertEqual(imported["role_field"] as? String, "CN")
        XCTAssertEqual(imported["scope_name"] as? String, "")
        XCTAssertEqual((imported["ca_chain"] as? [String])?.count, 1)
        XCTAssertNil(imported["key_type"])
        // Update: the pair member given replaces the other.
        let updated = try await expectData(h, 200, "POST", "kmip/ca/imp", ["scope_name": "s1"])
        XCTAssertEqual(updated["scope_name"] as? String, "s1")
        XCTAssertEqual(updated["scope_field"] as? String, "")
        XCTAssertEqual(updated["role_field"] as? String, "CN")
        try await expect(h, 400, "POST", "kmip/ca/imp", ["role_name": "r", "role_field": "UID"], mentioning: "exclusive")
        try await expect(h, 404, "POST", "kmip/ca/nosuch", ["scope_name": "s1"])
        let awaited2 = try await expect(h, 200, "LIST", "kmip/ca")
        XCTAssertEqual(awaited2.data?["keys"] as? [String], ["c1", "c2", "imp"])

        // Role `ca`: a generated CA signs the role's certificates; imported or unknown ones are refused.
        try await expect(h, 204, "POST", "kmip/scope/s1")
        try await expect(h, 400, "POST", "kmip/scope/s1/role/r", ["operation_all": true, "ca": "imp"], mentioning: "imported")
        try await expect(h, 400, "POST", "kmip/scope/s1/role/r", ["operation_all": true, "ca": "nosuch"], mentioning: "nosuch")
        let cred = try await roleCredential(h, scope: "s1", role: "r", ca: "c1")
        let awaited3 = try await expect(h, 200, "GET", "kmip/scope/s1/role/r")
        XCTAssertEqual(awaited3.data?["ca"] as? String, "c1")
        if OpenSSLTool.isInstalled {
            try cred.certificate.write(to: dir.appendingPathComponent("leaf.pem"), atomically: true, encoding: .utf8)
            try (read["ca_pem"] as? String ?? "").write(to: dir.appendingPathComponent("c1-chain.pem"), atomically: true, encoding: .utf8)
            try legacy.write(to: dir.appendingPathComponent("legacy.pem"), atomically: true, encoding: .utf8)
            XCTAssertEqual(try OpenSSLTool.execute(["verify", "-CAfile", "c1-chain.pem", "leaf.pem"], in: dir).status, 0)
            XCTAssertNotEqual(try OpenSSLTool.execute(["verify", "-CAfile", "legacy.pem", "leaf.pem"], in: dir).status, 0)
        }
        // In use by a role: not deletable until the role goes back to the legacy CA ("").
        try await expect(h, 400, "DELETE", "kmip/ca/c1", mentioning: "role")
        try await expect(h, 204, "POST", "kmip/scope/s1/role/r", ["operation_all": true, "ca": ""])
        let awaited4 = try await expect(h, 200, "GET", "kmip/scope/s1/role/r")
        XCTAssertNil(awaited4.data?["ca"])
        try await expect(h, 204, "DELETE", "kmip/ca/c1")
        try await expect(h, 404, "GET", "kmip/ca/c1")
        try await expect(h, 404, "DELETE", "kmip/ca/c1")
        // A role deleted with its CA set does not hold the CA.
        _ = try await roleCredential(h, scope: "s1", role: "gone", ca: "c2")
        try await expect(h, 204, "DELETE", "kmip/scope/s1/role/gone")
        try await expect(h, 204, "DELETE", "kmip/ca/c2")
        try await expect(h, 204, "DELETE", "kmip/ca/imp")
        let awaited5 = try await h.api("LIST", "kmip/ca")
        XCTAssertEqual(awaited5.status, 404)

        // Before kmip/config is written there is nothing to hang a named CA on.
        try await expect(h, 204, "POST", "sys/mounts/fresh", ["type": "kmip"])
        try await expect(h, 400, "POST", "fresh/ca/x/generate", ["key_type": "ec", "key_bits": 256], mentioning: "config")
    }

    /// credential/sign, lookup, list and revoke for a role whose certificates a named CA signs.
    func testCredentialsOfARoleWithANamedCA() async throws {
        try XCTSkipUnless(OpenSSLTool.isInstalled, "openssl is not installed")
        let h = try await start()
        let chain = try await expectData(h, 200, "POST", "kmip/ca/c1/generate", ["key_type": "ec", "key_bits": 256]).string("ca_pem")
        try await expect(h, 204, "POST", "kmip/scope/s")
        try await expect(h, 204, "POST", "kmip/scope/s/role/r", ["operation_all": true, "ca": "c1"])
        let dir = h.directory.appendingPathComponent("csr")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try OpenSSLTool.run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k.pem"], in: dir)
        let csr = try OpenSSLTool.run(["req", "-new", "-key", "k.pem", "-subj", "/CN=ignored"], in: dir)
        let signed = try await expectData(h, 200, "POST", "kmip/scope/s/role/r/credential/sign", ["csr": csr, "format": "pem"])
        let serial = try signed.string("serial_number")
        try signed.string("certificate").write(to: dir.appendingPathComponent("cert.pem"), atomically: true, encoding: .utf8)
        try chain.write(to: dir.appendingPathComponent("c1.pem"), atomically: true, encoding: .utf8)
        try (try await h.caPEM("kmip")).write(to: dir.appendingPathComponent("legacy.pem"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try OpenSSLTool.execute(["verify", "-CAfile", "c1.pem", "cert.pem"], in: dir).status, 0)
        XCTAssertNotEqual(try OpenSSLTool.execute(["verify", "-CAfile", "legacy.pem", "cert.pem"], in: dir).status, 0)
        let c1 = try await expectData(h, 200, "GET", "kmip/ca/c1")
        XCTAssertEqual(signed["ca_chain"] as? [String], c1["ca_chain"] as? [String])
        let listed = try await expectData(h, 200, "LIST", "kmip/scope/s/role/r/credential")
        XCTAssertEqual(listed["keys"] as? [String], [serial])
        try await expect(h, 200, "GET", "kmip/scope/s/role/r/credential/lookup?serial_number=\(serial)")
        try await expect(h, 204, "POST", "kmip/scope/s/role/r/credential/revoke", ["serial_number": serial])
        try await expect(h, 404, "LIST", "kmip/scope/s/role/r/credential")
    }

    func testKeyPairFlagsAreReadInBothSpellings() async throws {
        let h = try await start()
        try await expect(h, 204, "POST", "kmip/scope/s")
        try await expect(h, 204, "POST", "kmip/scope/s/role/docs", ["operation_create_keypair": true, "operation_rekey_keypair": true])
        try await expect(h, 204, "POST", "kmip/scope/s/role/api", ["operation_create_key_pair": true, "operation_rekey_key_pair": true])
        for role in ["docs", "api"] {
            let data = try await expectData(h, 200, "GET", "kmip/scope/s/role/\(role)")
            XCTAssertEqual(data["operation_create_key_pair"] as? Bool, true, role)
            XCTAssertEqual(data["operation_rekey_key_pair"] as? Bool, true, role)
            XCTAssertNil(data["operation_create_keypair"], role)
            XCTAssertNil(data["operation_get"], role)
        }
    }

    // MARK: Named listeners

    func testNamedListenersServeWithTheirOwnCAsTrustAndTLSSettings() async throws {
        let h = try await start()
        let ports = try freePorts(4)
        try await expect(h, 200, "POST", "kmip/ca/c1/generate", ["key_type": "ec", "key_bits": 256])
        try await expect(h, 200, "POST", "kmip/ca/c2/generate", ["key_type": "ec", "key_bits": 384])
        let c1 = try await expectData(h, 200, "GET", "kmip/ca/c1").string("ca_pem")
        let c2 = try await expectData(h, 200, "GET", "kmip/ca/c2").string("ca_pem")

        // Refusals: required fields, an imported or unknown CA, bad TLS settings, taken ports.
        try await expect(h, 400, "POST", "kmip/listener/l1", ["address": "127.0.0.1:\(ports[0])"], mentioning: "ca")
        try await expect(h, 400, "POST", "kmip/listener/l1", ["ca": "c1"], mentioning: "address")
        try await expect(h, 400, "POST", "kmip/listener/l1", ["ca": "nosuch", "address": "127.0.0.1:\(ports[0])"], mentioning: "nosuch")
        try await expect(h, 400, "POST", "kmip/listener/l1", ["ca": "c1", "address": "127.0.0.1:\(ports[0])", "tls_min_version": "tls11"],
                         mentioning: "tls_min_version")
        try await expect(h, 400, "POST", "kmip/listener/l1", ["ca": "c1", "address": "127.0.0.1:\(ports[0])",
                                                              "tls_cipher_suites": "TLS_RSA_WITH_AES_128_CBC_SHA"], mentioning: "not accepted")
        try await expect(h, 400, "POST", "kmip/listener/l1", ["ca": "c1", "address": "127.0.0.1:\(ports[0])",
                                                              "tls_min_version": "tls13", "tls_max_version": "tls12"])
        // The dev listener's port (bound ephemerally, so in no stored config): refused before anything is stored.
        try await expect(h, 400, "POST", "kmip/listener/l1", ["ca": "c1", "address": "127.0.0.1:\(h.kmipPort)"],
                         mentioning: "already used by listen_addrs")
        try await expect(h, 404, "GET", "kmip/listener/l1")
        try await expect(h, 400, "POST", "kmip/listener/l1", ["ca": "c1", "address": "127.0.0.1:\(ports[0])",
                                                              "additional_client_cas": "nosuch"], mentioning: "nosuch")

        let l1 = try await expectData(h, 200, "POST", "kmip/listener/l1",
                                                ["ca": "c1", "address": "127.0.0.1:\(ports[0])", "server_hostnames": "localhost"])
        XCTAssertEqual(l1["tls_min_version"] as? String, "tls12")
        XCTAssertEqual(l1["tls_max_version"] as? String, "")
        XCTAssertEqual(l1["tls_cipher_suites"] as? String, "")
        XCTAssertEqual(l1["also_use_legacy_ca"] as? Bool, false)
        XCTAssertEqual(l1["server_ips"] as? [String], ["127.0.0.1", "::1"])
        XCTAssertEqual(l1["additional_client_cas"] as? [String], [])
        XCTAssertEqual(l1["server_hostnames"] as? [String], ["localhost"])
        XCTAssertEqual(l1["address"] as? String, "127.0.0.1:\(ports[0])")
        try await expect(h, 400, "POST", "kmip/listener/l2", ["ca": "c2", "address": "127.0.0.1:\(ports[0])"], mentioning: "l1")
        try await expect(h, 200, "POST", "kmip/listener/l2", ["ca": "c2", "address": "127.0.0.1:\(ports[1])", "tls_min_version": "tls13"])
        let awaited6 = try await expect(h, 200, "LIST", "kmip/listener")
        XCTAssertEqual(awaited6.data?["keys"] as? [String], ["l1", "l2"])
        try await expect(h, 400, "POST", "kmip/config", ["listen_addrs": "127.0.0.1:\(ports[1])"], mentioning: "l2")

        // Each listener serves the clients of its own CA and refuses the other's and the legacy ones.
        try await expect(h, 204, "POST", "kmip/scope/s")
        let cred1 = try await roleCredential(h, scope: "s", role: "r1", ca: "c1")
        let cred2 = try await roleCredential(h, scope: "s", role: "r2", ca: "c2")
        let (open1, _) = try await createAndGet(h.clientConfiguration(port: ports[0], ca: c1, cred1))
        let (open2, _) = try await createAndGet(h.clientConfiguration(port: ports[1], ca: c2, cred2))
        await assertRefused(h.clientConfiguration(port: ports[0], ca: c1, cred2), "a c2 client on l1")
        await assertRefused(h.clientConfiguration(port: ports[1], ca: c2, cred1), "a c1 client on l2")
        let dev = try h.devCredential()
        let legacy = try await h.caPEM("kmip")
        await assertRefused(h.clientConfiguration(port: ports[0], ca: c1, dev), "the legacy dev credential on l1")
        await assertRefused(h.clientConfiguration(port: h.kmipPort, ca: legacy, cred1), "a c1 client on the legacy listener")

        // TLS versions: l2 is TLS 1.3 only.
        let tlsDir = h.directory.appendingPathComponent("tls")
        if OpenSSLTool.isInstalled {
            XCTAssertNil(try handshakeProtocol(port: ports[1], "-tls1_2", ca: c2, cred2, in: tlsDir), "TLS 1.2 on a tls13 listener")
            XCTAssertEqual(try handshakeProtocol(port: ports[1], "-tls1_3", ca: c2, cred2, in: tlsDir), "TLSv1.3")
            XCTAssertEqual(try handshakeProtocol(port: ports[0], nil, ca: c1, cred1, in: tlsDir), "TLSv1.3")
        }

        // In place: l1 also trusts the legacy CA and c2, at most TLS 1.2 with one suite.
        try await expect(h, 200, "POST", "kmip/listener/l1", [
            "ca": "c1", "address": "127.0.0.1:\(ports[0])", "also_use_legacy_ca": true, "additional_client_cas": ["c2"],
            "tls_max_version": "tls12", "tls_cipher_suites": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        ])
        await open1.close()
        let (devOnL1, _) = try await createAndGet(h.clientConfiguration(port: ports[0], ca: c1, dev))
        await devOnL1.close()
        let (c2OnL1, _) = try await createAndGet(h.clientConfiguration(port: ports[0], ca: c1, cred2))
        await c2OnL1.close()
        if OpenSSLTool.isInstalled {
            XCTAssertEqual(try handshakeProtocol(port: ports[0], nil, ca: c1, cred1, in: tlsDir), "TLSv1.2")
        }
        // c2 is in use by both listeners now.
        try await expect(h, 400, "DELETE", "kmip/ca/c2", mentioning: "listener")

        // A revoked credential is refused on a named listener too.
        try await expect(h, 204, "POST", "kmip/scope/s/role/r1/credential/revoke", ["serial_number": cred1.serial])
        await assertRefused(h.clientConfiguration(port: ports[0], ca: c1, cred1), "a revoked c1 credential on l1")

        // Delete l2: its port closes, its open connection ends, l1 keeps serving.
        try await expect(h, 204, "DELETE", "kmip/listener/l2")
        let closed = await eventually { !self.tcpAccepts(ports[1]) }
        XCTAssertTrue(closed, "l2's port still accepts after DELETE")
        do {
            _ = try await open2.discoverVersions()
            XCTFail("a connection of a deleted listener was still served")
        } catch {}
        try await expect(h, 404, "GET", "kmip/listener/l2")
        let (still, _) = try await createAndGet(h.clientConfiguration(port: ports[0], ca: c1, cred2))
        await still.close()

        // A new address: the old port closes, the new one serves.
        try await expect(h, 200, "POST", "kmip/listener/l1", ["ca": "c1", "address": "127.0.0.1:\(ports[2])", "additional_client_cas": "c2"])
        let moved = await eventually { !self.tcpAccepts(ports[0]) }
        XCTAssertTrue(moved, "l1's old port still accepts")
        let (onNew, _) = try await createAndGet(h.clientConfiguration(port: ports[2], ca: c1, cred2))
        await onNew.close()

        // The legacy listener can be turned off and its address given to a named listener.
        try await expect(h, 204, "POST", "kmip/config", ["listen_addrs": [String]()])
        let awaited7 = try await expect(h, 200, "GET", "kmip/config")
        XCTAssertEqual(awaited7.data?["listen_addrs"] as? [String], [])
        let legacyClosed = await eventually { !self.tcpAccepts(h.kmipPort) }
        XCTAssertTrue(legacyClosed, "the legacy listener still accepts with listen_addrs []")
        try await expect(h, 200, "POST", "kmip/listener/l3", ["ca": "c2", "address": "127.0.0.1:\(h.kmipPort)"])
        let (onOld, _) = try await createAndGet(h.clientConfiguration(port: h.kmipPort, ca: c2, cred2))
        await onOld.close()
    }

    // MARK: Imported CAs

    func testAnImportedCAsClientsMapToScopeAndRoleBySubject() async throws {
        let h = try await start()
        let ports = try freePorts(2)
        let external = try ExternalCA(in: h.directory.appendingPathComponent("external"))
        try await expect(h, 200, "POST", "kmip/ca/imp/import", ["ca_pem": external.pem, "scope_field": "OU", "role_field": "CN"])
        try await expect(h, 200, "POST", "kmip/ca/srv/generate", ["key_type": "ec", "key_bits": 256])
        let srv = try await expectData(h, 200, "GET", "kmip/ca/srv").string("ca_pem")
        try await expect(h, 400, "POST", "kmip/listener/bad", ["ca": "imp", "address": "127.0.0.1:\(ports[0])"], mentioning: "imported")
        try await expect(h, 200, "POST", "kmip/listener/ext", ["ca": "srv", "address": "127.0.0.1:\(ports[0])", "additional_client_cas": "imp"])
        try await expect(h, 200, "POST", "kmip/listener/own", ["ca": "srv", "address": "127.0.0.1:\(ports[1])"])
        try await expect(h, 400, "DELETE", "kmip/ca/imp", mentioning: "ext")

        try await expect(h, 204, "POST", "kmip/scope/s1")
        try await expect(h, 204, "POST", "kmip/scope/s1/role/r1", ["operation_create": true, "operation_get": true])
        let client = try external.issue("/O=Example/OU=s1/CN=r1", as: "client")
        let noScope = try external.issue("/OU=nosuch/CN=r1", as: "noscope")
        let noRole = try external.issue("/OU=s1/CN=nosuch", as: "norole")
        let twoOU = try external.issue("/OU=s1/OU=s2/CN=r1", as: "twoou")
        let serverOnly = try external.issue("/OU=s1/CN=r1", as: "server", clientAuth: false)

        // The role's operations apply: Create and Get yes, Destroy no.
        let (open, id) = try await createAndGet(h.clientConfiguration(port: ports[0], ca: srv, client))
        do {
            _ = try await open.destroy(id)
            XCTFail("Destroy was allowed to a role with only create and get")
        } catch let error as KMIPError {
            XCTAssertEqual(error.reason, .permissionDenied, "\(error)")
        }
        // Refused: on a listener that does not trust the CA, an unknown scope or role, an ambiguous
        // subject, a certificate without clientAuth.
        await assertRefused(h.clientConfiguration(port: ports[1], ca: srv, client), "the imported CA's client on a listener that does not trust it")
        await assertRefused(h.clientConfiguration(port: h.kmipPort, ca: try await h.caPEM("kmip"), client), "on the legacy listener")
        await assertRefused(h.clientConfiguration(port: ports[0], ca: srv, noScope), "a subject mapping to no scope")
        await assertRefused(h.clientConfiguration(port: ports[0], ca: srv, noRole), "a subject mapping to no role")
        await assertRefused(h.clientConfiguration(port: ports[0], ca: srv, twoOU), "a subject with two OUs")
        await assertRefused(h.clientConfiguration(port: ports[0], ca: srv, serverOnly), "a certificate without clientAuth")

        // The mapping changes in place: a fixed scope, the role still from CN.
        try await expect(h, 204, "POST", "kmip/scope/fixed")
        try await expect(h, 204, "POST", "kmip/scope/fixed/role/r1", ["operation_all": true])
        try await expect(h, 200, "POST", "kmip/ca/imp", ["scope_name": "fixed"])
        let (inFixed, fixedID) = try await createAndGet(h.clientConfiguration(port: ports[0], ca: srv, noScope))
        do {
            _ = try await inFixed.get(id)   // s1's key is not in scope `fixed`
            XCTFail("a key of another scope was served")
        } catch {}
        await inFixed.close()
        XCTAssertNotEqual(fixedID, id)
        try await expect(h, 200, "POST", "kmip/ca/imp", ["scope_field": "OU"])

        // Deleting the role refuses the certificate, on a connection already open too.
        let (held, _) = try await createAndGet(h.clientConfiguration(port: ports[0], ca: srv, client))
        try await expect(h, 204, "DELETE", "kmip/scope/s1/role/r1")
        await assertRefused(h.clientConfiguration(port: ports[0], ca: srv, client), "the certificate after its role was deleted")
        do {
            _ = try await held.get(id)
            XCTFail("an open connection kept its deleted role")
        } catch {}
        await open.close()
    }
}

extension Dictionary where Key == String, Value == Any {
    /// The string at `key`; fails the test when absent.
    func string(_ key: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try XCTUnwrap(self[key] as? String, "\(key) in \(self)", file: file, line: line)
    }
}
