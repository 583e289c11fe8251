import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KMIP
import KMIPClient
import StrongroomServer
import XCTest

/// The whole server end to end: Vault's HTTP API over real HTTP, KMIP over real mutual TLS, on
/// an in-process dev server (`kmip/` provisioned; more mounts enabled through the API).
final class ServerAPITests: XCTestCase {

    // MARK: Harness

    /// A started dev server and how to talk to it.
    struct Harness {
        let server: RunningServer
        let directory: URL

        var root: String { server.rootToken }
        var kmipPort: Int { server.kmipPort! }

        enum Token { case root, none, value(String) }

        struct Reply {
            var status: Int
            var json: [String: Any]?
            var text: String
            var data: [String: Any]? { json?["data"] as? [String: Any] }
            var errors: [String] { json?["errors"] as? [String] ?? [] }
            var summary: String { "HTTP \(status): \(text)" }
        }

        /// One HTTP request to `/v1/<path>` (the path may carry a query).
        func api(_ method: String, _ path: String, _ body: [String: Any]? = nil, token: Token = .root) async throws -> Reply {
            let url = try XCTUnwrap(URL(string: "http://\(server.apiAddress)/v1/\(path)"))
            var request = URLRequest(url: url)
            request.httpMethod = method
            request.timeoutInterval = 30
            switch token {
            case .root: request.setValue(root, forHTTPHeaderField: "X-Vault-Token")
            case .value(let t): request.setValue(t, forHTTPHeaderField: "X-Vault-Token")
            case .none: break
            }
            if let body {
                request.httpBody = try JSONSerialization.data(withJSONObject: body)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            let sendable = request
            let (data, response): (Data, URLResponse) = try await withCheckedThrowingContinuation { continuation in
                let task = URLSession.shared.dataTask(with: sendable) { data, response, error in
                    if let error { continuation.resume(throwing: error); return }
                    guard let response else { continuation.resume(throwing: URLError(.badServerResponse)); return }
                    continuation.resume(returning: (data ?? Data(), response))
                }
                task.resume()
            }
            let status = (response as? HTTPURLResponse)?.statusCode ?? -1
            let json = data.isEmpty ? nil : (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            return Reply(status: status, json: json, text: String(decoding: data, as: UTF8.self))
        }

        /// `data.ca_pem` of `<mount>/ca`.
        func caPEM(_ mount: String) async throws -> String {
            let reply = try await api("GET", "\(mount)/ca")
            XCTAssertEqual(reply.status, 200, reply.summary)
            return try XCTUnwrap(reply.data?["ca_pem"] as? String, reply.summary)
        }

        /// Enables `<mount>` (type kmip) and writes its config with `listen_addrs` 127.0.0.1:`port`.
        func enableMount(_ mount: String, port: Int) async throws {
            let enabled = try await api("POST", "sys/mounts/\(mount)", ["type": "kmip"])
            XCTAssertEqual(enabled.status, 204, enabled.summary)
            let configured = try await api("POST", "\(mount)/config", ["listen_addrs": "127.0.0.1:\(port)"])
            XCTAssertEqual(configured.status, 204, configured.summary)
        }

        struct Credential { var certificate: String; var privateKey: String; var serial: String }

        /// Creates scope and role (operation_all) through the API and generates a credential.
        func credential(_ mount: String, scope: String, role: String, createScope: Bool = true) async throws -> Credential {
            if createScope {
                let s = try await api("POST", "\(mount)/scope/\(scope)")
                XCTAssertEqual(s.status, 204, s.summary)
            }
            let r = try await api("POST", "\(mount)/scope/\(scope)/role/\(role)", ["operation_all": true])
            XCTAssertEqual(r.status, 204, r.summary)
            let g = try await api("POST", "\(mount)/scope/\(scope)/role/\(role)/credential/generate")
            XCTAssertEqual(g.status, 200, g.summary)
            let data = try XCTUnwrap(g.data, g.summary)
            return Credential(certificate: try XCTUnwrap(data["certificate"] as? String),
                              privateKey: try XCTUnwrap(data["private_key"] as? String),
                              serial: try XCTUnwrap(data["serial_number"] as? String))
        }

        /// The dev credential (client.pem, client-key.pem of `kmip/`).
        func devCredential() throws -> Credential {
            Credential(certificate: try String(contentsOfFile: server.paths.clientPEM, encoding: .utf8),
                       privateKey: try String(contentsOfFile: server.paths.clientKeyPEM, encoding: .utf8), serial: "")
        }

        func clientConfiguration(port: Int, ca: String, _ credential: Credential) -> KMIPClientConfiguration {
            var c = KMIPClientConfiguration(
                host: "127.0.0.1", port: port, trustRootsPEM: KMIPClientConfiguration.splitPEMCertificates(ca),
                certificateChainPEM: KMIPClientConfiguration.splitPEMCertificates(credential.certificate),
                privateKeyPEM: credential.privateKey)
            c.timeout = .seconds(10)
            return c
        }
    }

    func start() async throws -> Harness {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("strongroom-api-\(UUID().uuidString)")
        let server = try await StrongroomServer.startDev(DevOptions(
            dataDirectory: dir.appendingPathComponent("data").path, kmipListenAddress: "127.0.0.1:0",
            apiListenAddress: "127.0.0.1:0"))
        addTeardownBlock {
            await server.shutdown()
            try? FileManager.default.removeItem(at: dir)
        }
        return Harness(server: server, directory: dir)
    }

    /// `count` distinct loopback ports that were free a moment ago (all held open while choosing).
    func freePorts(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { for fd in sockets { close(fd) } }
        var ports: [Int] = []
        for _ in 0..<count {
            #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
            #endif
            guard fd >= 0 else { throw XCTSkip("no socket") }
            sockets.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            XCTAssertEqual(bound, 0)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            XCTAssertEqual(named, 0)
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port` right now.
    func tcpAccepts(_ port: Int) -> Bool {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }

    /// Connecting and doing one Discover Versions must fail (a refused handshake surfaces either at
    /// connect or, with TLS 1.3, at the first exchange). Returns the error seen.
    @discardableResult
    func assertRefused(_ configuration: KMIPClientConfiguration, _ message: String,
                       file: StaticString = #filePath, line: UInt = #line) async -> (any Error)? {
        do {
            let client = try await KMIPClient.connect(configuration)
            defer { Task { await client.close() } }
            let versions = try await client.discoverVersions()
            XCTFail("\(message): the request was served (\(versions))", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    /// Connects and performs Create + Get of an AES key; returns the client (open) and the key's id.
    func createAndGet(_ configuration: KMIPClientConfiguration, file: StaticString = #filePath,
                      line: UInt = #line) async throws -> (KMIPClient, String) {
        let client = try await KMIPClient.connect(configuration)
        let id = try await client.createAESKey(length: 128)
        let got = try await client.get(id)
        XCTAssertEqual(got.uniqueIdentifier, id, file: file, line: line)
        XCTAssertEqual(got.objectType, .symmetricKey, file: file, line: line)
        return (client, id)
    }

    /// Polls `condition` until it holds or `seconds` pass.
    func eventually(_ seconds: Double = 5, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if try await condition() { return true }
            if Date() > deadline { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    // MARK: 1. Two mounts, two ports, two CAs

    func testTwoMountsOnTwoPortsWithSeparateCAs() async throws {
        let h = try await start()
        let port2 = try freePorts(1)[0]
        XCTAssertNotEqual(port2, h.kmipPort)

        // Before its config is written, kmip2/ has no CA and no listener.
        let enabled = try await h.api("POST", "sys/mounts/kmip2", ["type": "kmip"])
        XCTAssertEqual(enabled.status, 204, enabled.summary)
        let early = try await h.api("GET", "kmip2/ca")
        XCTAssertTrue((400..<500).contains(early.status), "kmip2/ca before kmip2/config: \(early.summary)")
        let noAddresses = await h.server.kmipAddresses(mount: "kmip2/")
        XCTAssertEqual(noAddresses, [])
        let configured = try await h.api("POST", "kmip2/config", ["listen_addrs": "127.0.0.1:\(port2)"])
        XCTAssertEqual(configured.status, 204, configured.summary)
        let addresses2 = await h.server.kmipAddresses(mount: "kmip2/")
        XCTAssertEqual(addresses2, ["127.0.0.1:\(port2)"])
        let mounts = try await h.api("GET", "sys/mounts")
        XCTAssertEqual((mounts.data?["kmip2/"] as? [String: Any])?["type"] as? String, "kmip", mounts.summary)

        let ca1 = try await h.caPEM("kmip")
        let ca2 = try await h.caPEM("kmip2")
        XCTAssertEqual(KMIPClientConfiguration.splitPEMCertificates(ca2).count, 2)
        XCTAssertNotEqual(ca1, ca2, "each mount has its own CA")
        XCTAssertTrue(Set(KMIPClientConfiguration.splitPEMCertificates(ca1))
            .isDisjoint(with: KMIPClientConfiguration.splitPEMCertificates(ca2)), "no certificate shared by the chains")

        let cred2 = try await h.credential("kmip2", scope: "s2", role: "r2")
        let dev = try h.devCredential()

        // kmip2's credential is served on kmip2's port …
        let (client2, id2) = try await createAndGet(h.clientConfiguration(port: port2, ca: ca2, cred2))
        // … and refused on kmip/'s port, even when the client trusts kmip/'s CA (the server refuses it).
        await assertRefused(h.clientConfiguration(port: h.kmipPort, ca: ca1, cred2),
                            "a kmip2/ credential on kmip/'s listener")
        // The dev credential: served on kmip/, refused on kmip2/.
        let (client1, _) = try await createAndGet(h.clientConfiguration(port: h.kmipPort, ca: ca1, dev))
        await assertRefused(h.clientConfiguration(port: port2, ca: ca2, dev), "the kmip/ dev credential on kmip2/'s listener")
        // A client trusting only kmip2's CA does not accept kmip/'s listener either.
        await assertRefused(h.clientConfiguration(port: h.kmipPort, ca: ca2, cred2), "kmip/'s listener under kmip2's CA")
        // Objects do not cross mounts: kmip2's key is not found through kmip/.
        do {
            _ = try await client1.get(id2)
            XCTFail("a kmip2/ object was readable through kmip/")
        } catch let error as KMIPError {
            XCTAssertEqual(error.reason, .itemNotFound, "\(error)")
        }
        await client1.close()

        // Another mount's port is refused with 400 naming that mount, and kmip2/ keeps serving.
        // ┌ SERVER BUG (found 2026-11-29, see report): MountRegistry.writeConfig compares the new
        // │ port with the other mounts' *configured* ports only; dev mode's kmip/config says
        // │ 127.0.0.1:0 (ephemeral), so kmip/'s real bound port passes the check. The write is then
        // │ stored, kmip2/'s running listener stopped, the bind fails (EADDRINUSE) and the answer is
        // └ 500. The assertions marked "SERVER BUG?" below fail for that reason alone.
        let clash = try await h.api("POST", "kmip2/config", ["listen_addrs": "127.0.0.1:\(h.kmipPort)"])
        XCTAssertEqual(clash.status, 400, "SERVER BUG? kmip2/config with kmip/'s bound port: \(clash.summary)")
        XCTAssertTrue(clash.errors.contains { $0.contains("kmip/") }, "SERVER BUG? error names the mount using the port: \(clash.summary)")
        let after = await h.server.kmipAddresses(mount: "kmip2/")
        XCTAssertEqual(after, ["127.0.0.1:\(port2)"], "SERVER BUG? a refused config write leaves kmip2/'s listener as it was")
        let config2 = try await h.api("GET", "kmip2/config")
        XCTAssertEqual(config2.data?["listen_addrs"] as? [String], ["127.0.0.1:\(port2)"],
                       "SERVER BUG? a refused config write is not stored: \(config2.summary)")
        do {
            let still = try await client2.discoverVersions()
            XCTAssertFalse(still.isEmpty)
        } catch {
            XCTFail("SERVER BUG? the refused config write cut kmip2/'s open connection: \(error)")
        }
        await client2.close()
    }

    /// The same clash with explicit ports on both mounts (no dev-mode ephemeral port involved).
    func testConfigPortClashWithExplicitPortsNamesTheOtherMount() async throws {
        let h = try await start()
        let ports = try freePorts(2)
        let moved = try await h.api("POST", "kmip/config", ["listen_addrs": "127.0.0.1:\(ports[0])"])
        XCTAssertEqual(moved.status, 204, moved.summary)
        let kmipAddresses = await h.server.kmipAddresses(mount: "kmip/")
        XCTAssertEqual(kmipAddresses, ["127.0.0.1:\(ports[0])"])
        try await h.enableMount("kmip2", port: ports[1])
        let clash = try await h.api("POST", "kmip2/config", ["listen_addrs": "127.0.0.1:\(ports[0])"])
        XCTAssertEqual(clash.status, 400, clash.summary)
        XCTAssertEqual(clash.errors.count, 1, clash.summary)
        XCTAssertTrue(clash.errors.first?.contains("kmip/") == true, clash.summary)
        XCTAssertTrue(clash.errors.first?.contains("\(ports[0])") == true, clash.summary)
        let after = await h.server.kmipAddresses(mount: "kmip2/")
        XCTAssertEqual(after, ["127.0.0.1:\(ports[1])"])
        // And the other way round: kmip/ cannot take kmip2/'s port.
        let reverse = try await h.api("POST", "kmip/config", ["listen_addrs": "127.0.0.1:\(ports[1])"])
        XCTAssertEqual(reverse.status, 400, reverse.summary)
        XCTAssertTrue(reverse.errors.first?.contains("kmip2/") == true, reverse.summary)
    }

    /// Port 0 (an ephemeral port, as dev mode's kmip/config has) on two mounts is no clash: each
    /// binds its own real port.
    func testEphemeralPortOnTwoMountsIsNotAClash() async throws {
        let h = try await start()
        let enabled = try await h.api("POST", "sys/mounts/kmip2", ["type": "kmip"])
        XCTAssertEqual(enabled.status, 204, enabled.summary)
        let configured = try await h.api("POST", "kmip2/config", ["listen_addrs": "127.0.0.1:0"])
        // SERVER BUG (see report) if this fails: the clash check treats port 0 as a real port, so
        // "127.0.0.1:0" on kmip2/ clashes with dev mode's kmip/config (also port 0).
        XCTAssertEqual(configured.status, 204, "SERVER BUG? port 0 refused as a clash: \(configured.summary)")
        guard configured.status == 204 else { return }
        let addresses = await h.server.kmipAddresses(mount: "kmip2/")
        XCTAssertEqual(addresses.count, 1)
        let port = try XCTUnwrap(addresses.first?.split(separator: ":").last.flatMap { Int($0) })
        XCTAssertNotEqual(port, 0)
        XCTAssertNotEqual(port, h.kmipPort)
        let ca2 = try await h.caPEM("kmip2")
        let cred = try await h.credential("kmip2", scope: "e", role: "e")
        let (client, _) = try await createAndGet(h.clientConfiguration(port: port, ca: ca2, cred))
        await client.close()
    }

    // MARK: 2. Config writes restart the listener only when listener settings change

    func testConfigWriteRestartsTheListener() async throws {
        let h = try await start()
        let ports = try freePorts(2)
        try await h.enableMount("kmip2", port: ports[0])
        let ca2 = try await h.caPEM("kmip2")
        let cred = try await h.credential("kmip2", scope: "s", role: "r")

        // A connection opened before a write that changes only a client default keeps working.
        let (early, _) = try await createAndGet(h.clientConfiguration(port: ports[0], ca: ca2, cred))
        let ttl = try await h.api("POST", "kmip2/config", ["default_tls_client_ttl": "48h"])
        XCTAssertEqual(ttl.status, 204, ttl.summary)
        let read = try await h.api("GET", "kmip2/config")
        XCTAssertEqual(read.data?["default_tls_client_ttl"] as? Int, 172_800, read.summary)
        XCTAssertEqual(read.data?["listen_addrs"] as? [String], ["127.0.0.1:\(ports[0])"], read.summary)
        do {
            let versions = try await early.discoverVersions()
            XCTAssertFalse(versions.isEmpty)
            _ = try await early.createAESKey(length: 128)
        } catch {
            XCTFail("the connection opened before a default_tls_client_ttl write was cut (listener restarted?): \(error)")
        }
        let sameAddresses = await h.server.kmipAddresses(mount: "kmip2/")
        XCTAssertEqual(sameAddresses, ["127.0.0.1:\(ports[0])"])

        // A listen_addrs change moves the listener: the old port stops accepting, the new one serves.
        XCTAssertTrue(tcpAccepts(ports[0]))
        let move = try await h.api("POST", "kmip2/config", ["listen_addrs": "127.0.0.1:\(ports[1])"])
        XCTAssertEqual(move.status, 204, move.summary)
        XCTAssertFalse(tcpAccepts(ports[0]), "the old port still accepts connections after listen_addrs moved")
        XCTAssertTrue(tcpAccepts(ports[1]), "the new port does not accept connections")
        let movedAddresses = await h.server.kmipAddresses(mount: "kmip2/")
        XCTAssertEqual(movedAddresses, ["127.0.0.1:\(ports[1])"])
        await assertRefused(h.clientConfiguration(port: ports[0], ca: ca2, cred), "KMIP on the old port")
        let (moved, _) = try await createAndGet(h.clientConfiguration(port: ports[1], ca: ca2, cred))
        await moved.close()
        // The CA is not regenerated by a restart.
        let caAfter = try await h.caPEM("kmip2")
        XCTAssertEqual(caAfter, ca2)
        // Control for the first half: a real restart does end the connections of the old listener
        // (so "still works after the ttl write" above does show there was no restart).
        let cut = await eventually(5) {
            do { _ = try await early.discoverVersions(); return false } catch { return true }
        }
        XCTAssertTrue(cut, "a connection of the stopped listener still answers")
        await early.close()
        // The dev mount was not touched by any of this.
        let (dev, _) = try await createAndGet(h.clientConfiguration(port: h.kmipPort, ca: try await h.caPEM("kmip"),
                                                                    try h.devCredential()))
        await dev.close()
    }

    // MARK: 3. Revocation reaches open connections

    func testRevokedCredentialRefusedOnOpenConnection() async throws {
        let h = try await start()
        let ca = try await h.caPEM("kmip")
        let cred = try await h.credential("kmip", scope: "s3", role: "r3")
        let other = try await h.credential("kmip", scope: "s3", role: "r3b", createScope: false)
        let configuration = h.clientConfiguration(port: h.kmipPort, ca: ca, cred)
        let (client, id) = try await createAndGet(configuration)
        let (bystander, _) = try await createAndGet(h.clientConfiguration(port: h.kmipPort, ca: ca, other))

        let listed = try await h.api("GET", "kmip/scope/s3/role/r3/credential?list=true")
        XCTAssertEqual(listed.data?["keys"] as? [String], [cred.serial], listed.summary)
        let revoked = try await h.api("POST", "kmip/scope/s3/role/r3/credential/revoke", ["serial_number": cred.serial])
        XCTAssertEqual(revoked.status, 204, revoked.summary)
        let listedAfter = try await h.api("GET", "kmip/scope/s3/role/r3/credential?list=true")
        XCTAssertEqual(listedAfter.status, 404, "no credential left under r3: \(listedAfter.summary)")

        // The very next request on the same connection, with no wait, must not succeed.
        do {
            let got = try await client.get(id)
            XCTFail("a revoked credential was served on its open connection: \(got.uniqueIdentifier)")
        } catch let error as KMIPError {
            // What this server does: an immediate Permission Denied from the engine.
            print("ServerAPITests: next request after revocation answered: \(error)")
            XCTAssertEqual(error.reason, .permissionDenied, "\(error)")
        } catch let error as KMIPClientError {
            print("ServerAPITests: next request after revocation: connection error: \(error)")
            XCTAssertTrue([.connectionClosed, .connectionFailed, .timeout].contains(error.kind), "\(error)")
        }
        // The server then closes it (periodic revalidation); in any case nothing is served on it any more.
        let closed = await eventually(5) {
            do { _ = try await client.discoverVersions(); return false } catch { return !client.isActive }
        }
        XCTAssertTrue(closed, "the revoked credential's connection was never closed")
        await client.close()

        // A new connection with it is refused.
        await assertRefused(configuration, "a new connection with a revoked credential")
        // Others are unaffected: the other credential's open connection and the dev credential.
        let stillServed = try await bystander.get(id)
        XCTAssertEqual(stillServed.uniqueIdentifier, id)
        await bystander.close()
        let (dev, _) = try await createAndGet(h.clientConfiguration(port: h.kmipPort, ca: ca, try h.devCredential()))
        await dev.close()
    }

    // MARK: 4. Disabling a mount

    func testDisablingAMountStopsItsListenerAndRemovesItsData() async throws {
        let h = try await start()
        let ports = try freePorts(1)
        try await h.enableMount("kmip2", port: ports[0])
        let oldCA = try await h.caPEM("kmip2")
        let cred = try await h.credential("kmip2", scope: "s4", role: "r4")
        let (client, id) = try await createAndGet(h.clientConfiguration(port: ports[0], ca: oldCA, cred))
        let oldUUID = try await h.api("GET", "sys/mounts/kmip2").data?["uuid"] as? String
        XCTAssertNotNil(oldUUID)

        let disabled = try await h.api("DELETE", "sys/mounts/kmip2")
        XCTAssertEqual(disabled.status, 204, disabled.summary)
        XCTAssertFalse(tcpAccepts(ports[0]), "kmip2/'s port still accepts after the mount was disabled")
        let none = await h.server.kmipAddresses(mount: "kmip2/")
        XCTAssertEqual(none, [])
        let ended = await eventually(5) {
            do { _ = try await client.discoverVersions(); return false } catch { return true }
        }
        XCTAssertTrue(ended, "a connection to the disabled mount still answers")
        await client.close()
        let gone = try await h.api("GET", "kmip2/ca")
        XCTAssertEqual(gone.status, 404, "no mount at kmip2/: \(gone.summary)")
        let mounts = try await h.api("GET", "sys/mounts")
        XCTAssertNil(mounts.data?["kmip2/"], mounts.summary)
        XCTAssertNotNil(mounts.data?["kmip/"], mounts.summary)

        // Enabled again: a fresh mount with nothing of the old one.
        let again = try await h.api("POST", "sys/mounts/kmip2", ["type": "kmip"])
        XCTAssertEqual(again.status, 204, again.summary)
        let newUUID = try await h.api("GET", "sys/mounts/kmip2").data?["uuid"] as? String
        XCTAssertNotNil(newUUID)
        XCTAssertNotEqual(newUUID, oldUUID)
        let noCA = try await h.api("GET", "kmip2/ca")
        XCTAssertTrue((400..<500).contains(noCA.status), "a fresh mount has no CA until kmip2/config is written: \(noCA.summary)")
        XCTAssertFalse(noCA.errors.isEmpty, noCA.summary)
        let noConfig = try await h.api("GET", "kmip2/config")
        XCTAssertEqual(noConfig.status, 404, noConfig.summary)
        let scopes = try await h.api("GET", "kmip2/scope?list=true")
        XCTAssertEqual(scopes.status, 404, "the old scope is gone: \(scopes.summary)")
        let role = try await h.api("GET", "kmip2/scope/s4/role/r4")
        XCTAssertEqual(role.status, 404, role.summary)
        XCTAssertFalse(tcpAccepts(ports[0]), "no listener before the config is written")

        // Config written again: a new CA; the old credential is refused; the old key does not exist.
        let configured = try await h.api("POST", "kmip2/config", ["listen_addrs": "127.0.0.1:\(ports[0])"])
        XCTAssertEqual(configured.status, 204, configured.summary)
        let newCA = try await h.caPEM("kmip2")
        XCTAssertNotEqual(newCA, oldCA, "a re-enabled mount got the old CA back")
        await assertRefused(h.clientConfiguration(port: ports[0], ca: newCA, cred), "the old mount's credential")
        let fresh = try await h.credential("kmip2", scope: "s4", role: "r4")
        XCTAssertNotEqual(fresh.serial, cred.serial)
        let newClient = try await KMIPClient.connect(h.clientConfiguration(port: ports[0], ca: newCA, fresh))
        do {
            _ = try await newClient.get(id)
            XCTFail("the old mount's object survived disabling it")
        } catch let error as KMIPError {
            XCTAssertEqual(error.reason, .itemNotFound, "\(error)")
        }
        let located = try await newClient.locate(attributes: [])
        XCTAssertEqual(located, [], "the re-enabled mount's scope s4 holds objects")
        await newClient.close()
    }

    // MARK: 4b. Config limits

    /// `limits` of the config file reach every mount's engine: a batch over `max_batch_items` is
    /// refused, one at the limit is served.
    func testConfigLimitsReachTheEngine() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("strongroom-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let rootKey = dir.appendingPathComponent("root.key").path
        XCTAssertTrue(FileManager.default.createFile(atPath: rootKey, contents: Data((0..<32).map { _ in UInt8.random(in: 0...255) }),
                                                     attributes: [.posixPermissions: 0o600]))
        var config = ServerConfigFile(storagePath: dir.appendingPathComponent("storage").path, rootKey: .file(rootKey))
        config.apiAddress = "127.0.0.1:0"
        config.limits.maxBatchItems = 2
        let server = try await StrongroomServer.start(config: config, handlesSignals: false)
        addTeardownBlock {
            await server.shutdown()
            try? FileManager.default.removeItem(at: dir)
        }
        let h = Harness(server: server, directory: dir)
        let port = try freePorts(1)[0]
        try await h.enableMount("kmip", port: port)
        let credential = try await h.credential("kmip", scope: "s", role: "r")
        let client = try await KMIPClient.connect(h.clientConfiguration(port: port, ca: try await h.caPEM("kmip"), credential))
        func batch(_ n: Int) async throws -> [ResponseBatchItem] {
            let items = (0..<n).map { RequestBatchItem(operation: .discoverVersions, uniqueBatchItemID: [UInt8($0)], payload: DiscoverVersionsRequestPayload()) }
            return try await client.send(RequestMessage(header: RequestHeader(protocolVersion: .v1_4, batchCount: Int32(n)),
                                                        batchItems: items)).batchItems
        }
        let atLimit = try await batch(2)
        XCTAssertEqual(atLimit.map(\.resultStatus), [.success, .success], "\(atLimit.map(\.resultMessage))")
        let over = try await batch(3)
        XCTAssertTrue(over.allSatisfy { $0.resultStatus == .operationFailed }, "\(over)")
        XCTAssertTrue(over.first?.resultMessage?.contains("more than 2 batch items") == true, over.first?.resultMessage ?? "")
        await client.close()
    }

    // MARK: 5. Audit and metrics

    func testAuditAndMetricsOverHTTP() async throws {
        let h = try await start()
        // Dev mode allows API devices only inside <data>/audit.
        let outside = h.directory.appendingPathComponent("audit.log").path
        let refused = try await h.api("POST", "sys/audit/file", ["type": "file", "options": ["file_path": outside]])
        XCTAssertEqual(refused.status, 400, refused.summary)
        XCTAssertTrue(refused.errors.first?.contains("audit directory") == true, refused.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside))
        let auditFile = h.directory.appendingPathComponent("data/audit/audit.log").path
        let enabled = try await h.api("POST", "sys/audit/file", ["type": "file", "options": ["file_path": auditFile]])
        XCTAssertEqual(enabled.status, 204, enabled.summary)
        let devices = try await h.api("GET", "sys/audit")
        XCTAssertNotNil(devices.data?["file/"], devices.summary)

        func metrics() async throws -> String {
            let reply = try await h.api("GET", "sys/metrics?format=prometheus")
            XCTAssertEqual(reply.status, 200, reply.summary)
            XCTAssertNil(reply.json, "metrics are text, not JSON")
            return reply.text
        }
        /// Sum of the samples of `name` (any labels).
        func total(_ name: String, _ text: String) -> Double? {
            let samples = text.split(separator: "\n").filter {
                $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ")
            }
            guard !samples.isEmpty else { return nil }
            return samples.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
        }

        let before = try await metrics()
        // Families with labels appear with their first sample; the listener's own from the start.
        XCTAssertTrue(before.contains("kmip_connections_active"), before)
        let requestsBefore = total("kmip_requests_total", before) ?? 0

        // API requests (a token and a credential: neither the token nor the private key may reach
        // the log) and KMIP requests.
        let child = try await h.api("POST", "auth/token/create")
        let childToken = try XCTUnwrap((child.json?["auth"] as? [String: Any])?["client_token"] as? String, child.summary)
        let cred = try await h.credential("kmip", scope: "audited", role: "auditor")
        let ca = try await h.caPEM("kmip")
        let (client, id) = try await createAndGet(h.clientConfiguration(port: h.kmipPort, ca: ca, cred))
        let got = try await client.get(id)
        guard case .symmetricKey(let key)? = got.object, let material = key.keyBlock.plainKeyValue?.keyMaterial,
              case .byteString(let keyBytes) = material else {
            return XCTFail("Get returned no raw symmetric key: \(String(describing: got.object))")
        }
        XCTAssertEqual(keyBytes.count, 16)

        // Metrics while the connection is open: three more KMIP items counted, one connection active.
        let during = try await metrics()
        let requestsDuring = try XCTUnwrap(total("kmip_requests_total", during), during)
        XCTAssertGreaterThanOrEqual(requestsDuring - requestsBefore, 3, "Create, Get, Get were counted:\n\(during)")
        XCTAssertTrue(during.contains("kmip_requests_total{operation=\"Create\",result=\"success\"}"), during)
        XCTAssertGreaterThanOrEqual(total("kmip_connections_active", during) ?? 0, 1, during)
        XCTAssertTrue(during.contains("api_requests_total"), during)
        await client.close()

        // The audit file: one JSON object per line, API and KMIP entries.
        var entries: [[String: Any]] = []
        var text = ""
        let complete = await eventually(5) {
            text = (try? String(contentsOfFile: auditFile, encoding: .utf8)) ?? ""
            entries = text.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
            let kmipResponses = entries.filter { $0["type"] as? String == "kmip_response" }
            return kmipResponses.count >= 3
        }
        XCTAssertTrue(complete, "audit file lacks the KMIP entries:\n\(text)")
        XCTAssertEqual(entries.count, text.split(separator: "\n").count, "every line is a JSON object:\n\(text)")

        func request(_ e: [String: Any]) -> [String: Any]? { e["request"] as? [String: Any] }
        let generateRequest = entries.first {
            $0["type"] as? String == "request" && request($0)?["path"] as? String == "kmip/scope/audited/role/auditor/credential/generate"
        }
        XCTAssertNotNil(generateRequest, "no API request entry for credential/generate:\n\(text)")
        XCTAssertNotNil((generateRequest?["auth"] as? [String: Any])?["accessor"] as? String, "request entry names the token's accessor")
        let generateResponse = entries.first {
            $0["type"] as? String == "response" && request($0)?["path"] as? String == "kmip/scope/audited/role/auditor/credential/generate"
        }
        XCTAssertEqual((generateResponse?["response"] as? [String: Any])?["status"] as? Int, 200, text)
        XCTAssertEqual(request(generateRequest ?? [:])?["id"] as? String, request(generateResponse ?? [:])?["id"] as? String)

        let kmipEntries = entries.compactMap { e -> (type: String, kmip: [String: Any])? in
            guard let type = e["type"] as? String, type.hasPrefix("kmip"), let k = e["kmip"] as? [String: Any] else { return nil }
            return (type, k)
        }
        func operation(_ k: [String: Any]) -> String { (k["operation"] as? String ?? "").lowercased() }
        let createResponse = kmipEntries.first { $0.type == "kmip_response" && operation($0.kmip) == "create" }
        XCTAssertNotNil(createResponse, "no kmip_response entry for Create:\n\(text)")
        XCTAssertEqual((createResponse?.kmip["result_status"] as? String)?.lowercased(), "success", text)
        XCTAssertEqual(createResponse?.kmip["unique_identifiers"] as? [String], [id], text)
        XCTAssertEqual(createResponse?.kmip["serial"] as? String, cred.serial, text)
        // Operators know scopes by name: the entry names it (and keeps the id) and its mount.
        XCTAssertEqual(createResponse?.kmip["scope"] as? String, "audited", text)
        XCTAssertEqual((createResponse?.kmip["scope_id"] as? String)?.count, 5, text)
        XCTAssertEqual(createResponse?.kmip["mount"] as? String, "kmip/", text)
        XCTAssertEqual(createResponse?.kmip["role"] as? String, "auditor", text)
        XCTAssertTrue(kmipEntries.contains { $0.type == "kmip_request" && operation($0.kmip) == "get" }, text)
        XCTAssertTrue(kmipEntries.contains { $0.type == "kmip_response" && operation($0.kmip) == "get"
            && ($0.kmip["result_status"] as? String)?.lowercased() == "success" }, text)

        // No secrets: not the root token, not the generated private key, not the key bytes.
        XCTAssertFalse(text.contains(h.root), "the audit log holds the root token")
        XCTAssertFalse(text.contains(childToken), "the audit log holds a created token")
        XCTAssertTrue(entries.contains { request($0)?["path"] as? String == "auth/token/create" }, text)
        let keyBody = cred.privateKey.split(separator: "\n").filter { !$0.hasPrefix("-----") && $0.count > 20 }
        XCTAssertFalse(keyBody.isEmpty)
        for line in keyBody { XCTAssertFalse(text.contains(line), "the audit log holds the credential's private key") }
        XCTAssertFalse(text.lowercased().contains(keyBytes.hex), "the audit log holds the key bytes (hex)")
        XCTAssertFalse(text.contains(Data(keyBytes.bytes).base64EncodedString()), "the audit log holds the key bytes (base64)")

        // The counter keeps growing with later requests; the connection closed.
        let probe = try await KMIPClient.connect(h.clientConfiguration(port: h.kmipPort, ca: ca, cred))
        _ = try await probe.discoverVersions()
        await probe.close()
        let after = try await metrics()
        XCTAssertGreaterThan(try XCTUnwrap(total("kmip_requests_total", after)), requestsDuring, after)
        let closedDown = try await eventually(5) {
            let now = try await metrics()
            return total("kmip_connections_active", now) == 0
        }
        XCTAssertTrue(closedDown, "kmip_connections_active did not return to 0 after the clients closed")
    }

    // MARK: 6. Tokens and errors

    func testTokensAndErrors() async throws {
        let h = try await start()
        let anonymous = try await h.api("GET", "sys/mounts", token: .none)
        XCTAssertEqual(anonymous.status, 403, anonymous.summary)
        XCTAssertEqual(anonymous.errors, ["permission denied"], anonymous.summary)
        XCTAssertEqual(anonymous.json?.count, 1, "only `errors`: \(anonymous.summary)")
        let bogus = try await h.api("GET", "kmip/config", token: .value("s.not-a-token"))
        XCTAssertEqual(bogus.status, 403, bogus.summary)
        XCTAssertEqual(bogus.errors, ["permission denied"], bogus.summary)
        // Unknown paths need a token too.
        let unknown = try await h.api("GET", "nowhere/at/all", token: .none)
        XCTAssertEqual(unknown.status, 403, unknown.summary)

        let health = try await h.api("GET", "sys/health", token: .none)
        XCTAssertEqual(health.status, 200, health.summary)
        XCTAssertEqual(health.json?["initialized"] as? Bool, true, health.summary)
        XCTAssertEqual(health.json?["sealed"] as? Bool, false, health.summary)

        let created = try await h.api("POST", "auth/token/create", ["display_name": "tester"])
        XCTAssertEqual(created.status, 200, created.summary)
        let auth = try XCTUnwrap(created.json?["auth"] as? [String: Any], created.summary)
        let token = try XCTUnwrap(auth["client_token"] as? String, created.summary)
        XCTAssertNotEqual(token, h.root)
        XCTAssertFalse(token.isEmpty)

        let read = try await h.api("GET", "kmip/config", token: .value(token))
        XCTAssertEqual(read.status, 200, read.summary)
        XCTAssertNotNil(read.data?["listen_addrs"], read.summary)
        let own = try await h.api("GET", "auth/token/lookup-self", token: .value(token))
        XCTAssertEqual(own.status, 200, own.summary)
        XCTAssertEqual(own.data?["display_name"] as? String, "token-tester", own.summary)

        let revoked = try await h.api("POST", "auth/token/revoke", ["token": token])
        XCTAssertEqual(revoked.status, 204, revoked.summary)
        let refused = try await h.api("GET", "kmip/config", token: .value(token))
        XCTAssertEqual(refused.status, 403, refused.summary)
        XCTAssertEqual(refused.errors, ["permission denied"], refused.summary)
        // The root token still works.
        let rootRead = try await h.api("GET", "kmip/config")
        XCTAssertEqual(rootRead.status, 200, rootRead.summary)

        // Errors in Vault's envelope: a bad request is 400 with a message, an unknown mount path 404.
        let badType = try await h.api("POST", "sys/mounts/other", ["type": "transit"])
        XCTAssertEqual(badType.status, 400, badType.summary)
        XCTAssertEqual(badType.errors.count, 1, badType.summary)
        let missingScope = try await h.api("GET", "kmip/scope/none/role/none")
        XCTAssertEqual(missingScope.status, 404, missingScope.summary)
    }
}
