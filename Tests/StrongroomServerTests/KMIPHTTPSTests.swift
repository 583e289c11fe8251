import Foundation
import KMIP
import KMIPClient
import StrongroomServer
import XCTest

/// KMIP over HTTPS on a dev server (`https_listen_addrs`): the same CA, credentials and
/// authorisation as the binary port, objects shared between the two, and the listener following
/// the config like the legacy one.
extension ServerAPITests {
    func testKMIPOverHTTPSSharesCredentialsAndObjectsWithTheBinaryPort() async throws {
        let h = try await start()
        let ports = try freePorts(3)
        var config = try await expectData(h, 200, "GET", "kmip/config")
        XCTAssertEqual(config["https_listen_addrs"] as? [String], [], "off by default")

        // Refused: a port the binary listener holds, and an address that is not host:port.
        try await expect(h, 400, "POST", "kmip/config", ["https_listen_addrs": "127.0.0.1:\(h.kmipPort)"], mentioning: "already used")
        try await expect(h, 400, "POST", "kmip/config", ["https_listen_addrs": "nonsense:port"], mentioning: "https_listen_addrs")
        try await expect(h, 204, "POST", "kmip/config", ["https_listen_addrs": "127.0.0.1:\(ports[0])"])
        config = try await expectData(h, 200, "GET", "kmip/config")
        XCTAssertEqual(config["https_listen_addrs"] as? [String], ["127.0.0.1:\(ports[0])"])
        let served = await h.server.kmipHTTPSAddresses(mount: "kmip/")
        XCTAssertEqual(served, ["127.0.0.1:\(ports[0])"])

        let ca = try await h.caPEM("kmip")
        let dev = try h.devCredential()
        let binary = try await KMIPClient.connect(h.clientConfiguration(port: h.kmipPort, ca: ca, dev))
        let made = try await binary.createAESKey(length: 256)
        for encoding in MessageEncoding.allCases {
            var c = h.clientConfiguration(port: ports[0], ca: ca, dev)
            c.httpsEncoding = encoding
            let https = try await KMIPClient.connect(c)
            // What the binary port made is read over HTTPS, and the other way round.
            let got = try await https.get(made)
            XCTAssertEqual(got.uniqueIdentifier, made, "\(encoding)")
            let there = try await https.createAESKey(length: 128)
            let back = try await binary.get(there)
            XCTAssertEqual(back.objectType, .symmetricKey, "\(encoding)")
            await https.close()
        }

        // Authorisation is the role's: a role without Get is refused over HTTPS too.
        try await expect(h, 204, "POST", "kmip/scope/narrow")
        let narrow = try await roleCredential(h, scope: "narrow", role: "create-only", ca: nil, body: ["operation_create": true])
        var c = h.clientConfiguration(port: ports[0], ca: ca, narrow)
        c.httpsEncoding = .json
        let limited = try await KMIPClient.connect(c)
        let own = try await limited.createAESKey(length: 128)
        do {
            _ = try await limited.get(own)
            XCTFail("Get without operation_get succeeded over HTTPS")
        } catch let error as KMIPError {
            XCTAssertEqual(error.reason, .permissionDenied)
        }
        await limited.close()

        // A revoked credential is refused at the handshake.
        try await expect(h, 204, "POST", "kmip/scope/narrow/role/create-only/credential/revoke", ["serial_number": narrow.serial])
        await assertRefused(c, "a revoked credential over HTTPS")

        // Turned off: the port closes; the binary port serves on.
        try await expect(h, 204, "POST", "kmip/config", ["https_listen_addrs": [String]()])
        let closed = await eventually { !self.tcpAccepts(ports[0]) }
        XCTAssertTrue(closed, "the HTTPS port still accepts with https_listen_addrs []")
        let still = try await binary.get(made)
        XCTAssertEqual(still.uniqueIdentifier, made)
        await binary.close()

        // A named listener's https_address: its CA, its clients, over HTTPS beside its binary port.
        try await expect(h, 200, "POST", "kmip/ca/c1/generate", ["key_type": "ec", "key_bits": 256])
        let c1 = try await expectData(h, 200, "GET", "kmip/ca/c1").string("ca_pem")
        try await expect(h, 400, "POST", "kmip/listener/l1", ["ca": "c1", "address": "127.0.0.1:\(ports[1])",
                                                              "https_address": "127.0.0.1:\(ports[1])"], mentioning: "already used")
        try await expect(h, 400, "POST", "kmip/listener/l1", ["ca": "c1", "address": "127.0.0.1:\(ports[1])",
                                                              "https_address": "x:y:z"], mentioning: "https_address")
        let l1 = try await expectData(h, 200, "POST", "kmip/listener/l1", ["ca": "c1", "address": "127.0.0.1:\(ports[1])",
                                                                         "https_address": "127.0.0.1:\(ports[2])"])
        XCTAssertEqual(l1["https_address"] as? String, "127.0.0.1:\(ports[2])")
        try await expect(h, 204, "POST", "kmip/scope/named")
        let named = try await roleCredential(h, scope: "named", role: "all", ca: "c1")
        for encoding in [MessageEncoding.xml, .ttlv] {
            var n = h.clientConfiguration(port: ports[2], ca: c1, named)
            n.httpsEncoding = encoding
            let (client, _) = try await createAndGet(n)
            await client.close()
        }
        var legacyOnNamed = h.clientConfiguration(port: ports[2], ca: c1, dev)
        legacyOnNamed.httpsEncoding = .json
        await assertRefused(legacyOnNamed, "the legacy CA's client on l1's https_address")
        // Without https_address the HTTPS port closes; the listener's binary port stays.
        try await expect(h, 200, "POST", "kmip/listener/l1", ["ca": "c1", "address": "127.0.0.1:\(ports[1])"])
        let httpsClosed = await eventually { !self.tcpAccepts(ports[2]) }
        XCTAssertTrue(httpsClosed, "l1's HTTPS port still accepts without https_address")
        let (onBinary, _) = try await createAndGet(h.clientConfiguration(port: ports[1], ca: c1, named))
        await onBinary.close()
    }
}
