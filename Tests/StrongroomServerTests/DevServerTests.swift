import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KMIP
import KMIPClient
import KMIPEngine
import KMIPStore
import StrongroomServer
import XCTest

final class DevServerTests: XCTestCase {
    func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("strongroom-dev-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir.appendingPathComponent("data").path   // not created yet: startDev creates it
    }

    func options(_ dir: String) -> DevOptions {
        DevOptions(dataDirectory: dir, kmipListenAddress: "127.0.0.1:0", apiListenAddress: "127.0.0.1:0")
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func testFirstStartWritesFilesAndRestartKeepsThem() async throws {
        let dir = try temporaryDirectory()
        let first = try await StrongroomServer.startDev(options(dir))
        let paths = first.paths
        XCTAssertEqual(first.kmipAddresses.count, 1)
        XCTAssertNotNil(first.kmipPort)
        XCTAssertNotEqual(first.kmipPort, 0)
        // The API is served: bound on an ephemeral port of the requested host.
        XCTAssertTrue(first.apiAddress.hasPrefix("127.0.0.1:"), first.apiAddress)
        XCTAssertNotEqual(first.apiAddress, "127.0.0.1:0")
        XCTAssertEqual(try mode(paths.dataDirectory), 0o700)
        XCTAssertEqual(try mode(paths.rootKey), 0o600)
        XCTAssertEqual(try mode(paths.clientKeyPEM), 0o600)
        XCTAssertEqual(try mode(paths.rootToken), 0o600)
        XCTAssertTrue(FileManager.default.fileExists(atPath: paths.database))
        let ca = try read(paths.caPEM)
        let cert = try read(paths.clientPEM)
        let key = try read(paths.clientKeyPEM)
        XCTAssertEqual(ca.components(separatedBy: "BEGIN CERTIFICATE").count - 1, 2)
        XCTAssertEqual(cert.components(separatedBy: "BEGIN CERTIFICATE").count - 1, 1)
        XCTAssertTrue(key.contains("BEGIN PRIVATE KEY"))
        // The mount holds scope default, role admin (operation_all) and the credential of client.pem.
        let role = try await first.mount.role(scope: "default", name: "admin")
        XCTAssertEqual(role?.allowsAllOperations, true)
        let listed = try await first.mount.credentials(scope: "default", role: "admin")
        XCTAssertEqual(listed.map(\.certificateDER), [MountPEM.derBlocks(cert).first!])
        let config = try await first.mount.config()
        XCTAssertEqual(config?.listenAddrs, ["127.0.0.1:0"])
        let chain = try await first.mount.caChainPEM()
        XCTAssertEqual(chain, ca)
        let token = first.rootToken
        XCTAssertFalse(token.isEmpty)
        await first.shutdown()

        // Restart on the same directory: same CA, same credential, same token.
        let second = try await StrongroomServer.startDev(options(dir))
        XCTAssertEqual(try read(paths.caPEM), ca)
        XCTAssertEqual(try read(paths.clientPEM), cert)
        XCTAssertEqual(try read(paths.clientKeyPEM), key)
        XCTAssertEqual(second.rootToken, token)
        let listedAgain = try await second.mount.credentials(scope: "default", role: "admin")
        XCTAssertEqual(listedAgain.count, 1)
        await second.shutdown()

        // A missing key file means a new credential (the old one stays listed until revoked).
        try FileManager.default.removeItem(atPath: paths.clientKeyPEM)
        let third = try await StrongroomServer.startDev(options(dir))
        XCTAssertNotEqual(try read(paths.clientPEM), cert)
        XCTAssertEqual(try read(paths.caPEM), ca)
        XCTAssertEqual(try mode(paths.clientKeyPEM), 0o600)
        let listedThird = try await third.mount.credentials(scope: "default", role: "admin")
        XCTAssertEqual(listedThird.count, 2)
        await third.shutdown()
    }

    func testRootTokenFlagIsStored() async throws {
        let dir = try temporaryDirectory()
        var opts = options(dir)
        opts.rootTokenID = "my-root"
        let server = try await StrongroomServer.startDev(opts)
        XCTAssertEqual(server.rootToken, "my-root")
        XCTAssertEqual(try read(server.paths.rootToken), "my-root")
        await server.shutdown()
    }

    /// A dev root token chosen at an earlier start is revoked when another is chosen: it must not
    /// stay root for ever.
    func testChoosingAnotherDevRootTokenRevokesThePreviousOne() async throws {
        let dir = try temporaryDirectory()
        func lookupStatus(_ server: RunningServer, _ token: String) async throws -> Int {
            var request = URLRequest(url: try XCTUnwrap(URL(string: "\(server.apiURL)/v1/auth/token/lookup-self")))
            request.setValue(token, forHTTPHeaderField: "X-Vault-Token")
            let sendable = request
            return try await withCheckedThrowingContinuation { continuation in
                URLSession.shared.dataTask(with: sendable) { _, response, error in
                    if let error { continuation.resume(throwing: error); return }
                    continuation.resume(returning: (response as? HTTPURLResponse)?.statusCode ?? -1)
                }.resume()
            }
        }
        var opts = options(dir)
        opts.rootTokenID = "first-root"
        let first = try await StrongroomServer.startDev(opts)
        let status = try await lookupStatus(first, "first-root")
        XCTAssertEqual(status, 200)
        await first.shutdown()
        opts.rootTokenID = "second-root"
        let second = try await StrongroomServer.startDev(opts)
        let old = try await lookupStatus(second, "first-root")
        let new = try await lookupStatus(second, "second-root")
        XCTAssertEqual(old, 403, "the previous dev root token is revoked")
        XCTAssertEqual(new, 200)
        await second.shutdown()
    }

    /// One server per data directory: a second start on it is refused with a clear error while
    /// the first runs, and succeeds once the first has stopped (or after a failed start).
    func testASecondServerOnOneDataDirectoryIsRefused() async throws {
        let dir = try temporaryDirectory()
        let first = try await StrongroomServer.startDev(options(dir))
        do {
            let second = try await StrongroomServer.startDev(options(dir))
            await second.shutdown()
            XCTFail("two servers ran on one data directory")
        } catch let e as ConfigFileError {
            XCTAssertTrue(e.description.contains("another Strongroom server is using the data directory"), e.description)
        }
        await first.shutdown()
        var bad = options(dir)
        bad.kmipListenAddress = "not an address:x"
        _ = try? await StrongroomServer.startDev(bad)
        let again = try await StrongroomServer.startDev(options(dir))
        XCTAssertNotNil(again.kmipPort)
        await again.shutdown()
    }

    func testBadListenAddressIsAClearError() async throws {
        let dir = try temporaryDirectory()
        var opts = options(dir)
        opts.kmipListenAddress = "not an address:x"
        do {
            let s = try await StrongroomServer.startDev(opts)
            await s.shutdown()
            XCTFail("expected an error")
        } catch let e as MountError {
            XCTAssertTrue(e.message.contains("listen_addrs"), e.message)
        }
    }

    func testClientWithWrittenFilesGetsDiscoverVersions() async throws {
        let dir = try temporaryDirectory()
        let server = try await StrongroomServer.startDev(options(dir))
        defer { Task { await server.shutdown() } }
        let port = try XCTUnwrap(server.kmipPort)
        let configuration = try KMIPClientConfiguration.files(
            host: "127.0.0.1", port: port, caFile: server.paths.caPEM, certFile: server.paths.clientPEM,
            keyFile: server.paths.clientKeyPEM)
        let client = try await KMIPClient.connect(configuration)
        let versions = try await client.discoverVersions()
        XCTAssertEqual(versions.first, .v1_4)
        XCTAssertTrue(versions.contains(.v1_0))
        await client.close()

        // After revoking the dev credential, a new connection is refused.
        let serial = try await server.mount.credentials(scope: "default", role: "admin")[0].serialNumber
        try await server.mount.revokeCredential(serialNumber: serial)
        do {
            let refused = try await KMIPClient.connect(configuration)
            _ = try await refused.discoverVersions()
            await refused.close()
            XCTFail("a revoked credential must not be served")
        } catch {}
        await server.shutdown()
    }
}
