import Foundation
import KMIP
import KMIPEngine
import KMIPPKI
import KMIPStore
import KMIPTestSupport
import Logging
import MetricsTestKit
import XCTest
@testable import StrongroomObservability

/// The observer behind a real engine (in-memory store): audit lines and metrics for real requests,
/// and no secret in the log.
final class KMIPAuditObserverTests: XCTestCase {
    struct Server {
        let engine: KMIPEngine
        let client: ClientIdentity
        let observability: Observability
        let metrics: TestMetrics
    }

    func server(audit options: [String: String]) async throws -> Server {
        let store = InMemoryStore()
        let mount = store.mountStore(mountID: "mount1")
        let scope = ScopeRecord(name: "finance")
        try await mount.insertScope(scope)
        let role = RoleRecord(scopeID: scope.id, name: "ops", allowsAllOperations: true)
        try await mount.putRole(role)
        try await mount.addCredential(CredentialRecord(serialNumber: "777001", scopeID: scope.id, roleName: "ops",
                                                       certificateDER: [], expiresAt: DateTime(secondsSince1970: 4_000_000_000)))
        let metrics = TestMetrics()
        let observability = Observability(logger: quietLogger, metrics: metrics)
        try observability.audit.enable(AuditDeviceRecord(path: "file", type: "file", options: options))
        let engine = KMIPEngine(objects: store, mount: mount, logger: Logger(label: "test"), observer: observability.kmip(mount: "kmip/"),
                                metrics: metrics)
        return Server(engine: engine, client: ClientIdentity(scopeID: scope.id, roleID: role.id, serialNumber: "777001"),
                      observability: observability, metrics: metrics)
    }

    func send(_ server: Server, _ operation: KMIP.Operation, _ payload: some KMIPStruct) async -> ResponseBatchItem {
        let request = RequestMessage(header: RequestHeader(protocolVersion: .v1_2, batchCount: 1),
                                     batchItems: [RequestBatchItem(operation: operation, payload: payload)])
        return await server.engine.respond(to: request, client: server.client, connection: 5).batchItems[0]
    }

    /// Distinctive bytes, so finding them (in any spelling) in the log means a leak.
    static let key: [UInt8] = (0..<32).map { UInt8(truncatingIfNeeded: 0xA0 + $0 * 7) }
    static let secret: [UInt8] = Array("correct horse battery staple 0451".utf8)
    static let plaintext: [UInt8] = Array("attack at dawn, bring the keys!!".utf8)
    static let iv: [UInt8] = [0x5E, 0xC2, 0xE7, 0x1F, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB]

    func spellings(_ bytes: [UInt8]) -> [String] {
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let data = Data(bytes)
        return [hex, hex.uppercased(), data.base64EncodedString(), String(decoding: bytes.prefix(12), as: UTF8.self),
                String(hex.prefix(16)), String(data.base64EncodedString().prefix(16))]
            .filter { !$0.isEmpty }
    }

    func testRegisterGetEncryptAreAuditedWithoutAnySecret() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("audit.log")
        let server = try await server(audit: ["file_path": path])

        var register = RegisterRequestPayload()
        register.objectType = .symmetricKey
        register.object = .symmetricKey(SymmetricKey(KeyBlock(
            keyFormatType: .raw, keyMaterial: .byteString(ByteString(Self.key)), cryptographicAlgorithm: .aes,
            cryptographicLength: 256)))
        register.templateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.encrypt, .decrypt]))])
        let registered = await send(server, .register, register)
        XCTAssertEqual(registered.resultStatus, .success, registered.resultMessage ?? "")
        let uid = try XCTUnwrap((registered.responsePayload as? RegisterResponsePayload)?.uniqueIdentifier)

        var secret = RegisterRequestPayload()
        secret.objectType = .secretData
        secret.object = .secretData(SecretData(.password, KeyBlock(keyFormatType: .opaque,
                                                                   keyMaterial: .byteString(ByteString(Self.secret)))))
        secret.templateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.verify]))])
        let secretItem = await send(server, .register, secret)
        let secretUID = try XCTUnwrap((secretItem.responsePayload as? RegisterResponsePayload)?.uniqueIdentifier)

        var activate = ActivateRequestPayload()
        activate.uniqueIdentifier = uid
        _ = await send(server, .activate, activate)
        for id in [uid, secretUID] {
            var get = GetRequestPayload()
            get.uniqueIdentifier = id
            let got = await send(server, .get, get)
            XCTAssertEqual(got.resultStatus, .success, got.resultMessage ?? "")
        }
        var encrypt = EncryptRequestPayload()
        encrypt.uniqueIdentifier = uid
        encrypt.data = ByteString(Self.plaintext)
        encrypt.ivCounterNonce = ByteString(Self.iv)
        var parameters = CryptographicParameters()
        parameters.blockCipherMode = .cbc
        parameters.paddingMethod = KMIP.PaddingMethod.none
        encrypt.cryptographicParameters = parameters
        let encrypted = await send(server, .encrypt, encrypt)
        XCTAssertEqual(encrypted.resultStatus, .success, encrypted.resultMessage ?? "")
        let ciphertext = try XCTUnwrap((encrypted.responsePayload as? EncryptResponsePayload)?.data?.bytes)

        await server.observability.audit.flush()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for bytes in [Self.key, Self.secret, Self.plaintext, Self.iv, ciphertext] {
            for spelling in spellings(bytes) { XCTAssertFalse(text.contains(spelling), "the audit log holds \(spelling)") }
        }

        let lines = try auditLines(path)
        XCTAssertEqual(lines.count, 12, "a request and a response line per batch item")
        let responses = lines.filter { $0["type"] as? String == "kmip_response" }.compactMap { $0["kmip"] as? [String: Any] }
        XCTAssertEqual(responses.map { $0["operation"] as? String }, ["Register", "Register", "Activate", "Get", "Get", "Encrypt"])
        XCTAssertEqual(responses.map { $0["unique_identifiers"] as? [String] }, [[uid], [secretUID], [uid], [uid], [secretUID], [uid]])
        for response in responses {
            XCTAssertEqual(response["result_status"] as? String, "Success")
            XCTAssertEqual(response["serial"] as? String, "777001")
            XCTAssertEqual(response["role"] as? String, "ops")
            XCTAssertEqual(response["scope"] as? String, server.client.scopeID)
            XCTAssertEqual(response["protocol_version"] as? String, "1.2")
            XCTAssertEqual(response["mount"] as? String, "kmip/")
            XCTAssertNotNil(response["duration_ms"] as? Double)
        }
        XCTAssertEqual(lines.first?["connection"] as? Int, 5)

        let m = server.metrics
        XCTAssertEqual(m.counterTotal(label: "kmip_requests_total", dimensions: [("operation", "Register"), ("result", "success")]), 2)
        XCTAssertEqual(m.counterTotal(label: "kmip_requests_total", dimensions: [("operation", "Get"), ("result", "success")]), 2)
        XCTAssertEqual(try m.expectTimer("kmip_request_duration_seconds", [("operation", "Encrypt")]).values.count, 1)
    }

    func testFailedItemIsAuditedWithItsReason() async throws {
        let dir = try TemporaryDirectory()
        let server = try await server(audit: ["file_path": dir.path("audit.log")])
        var get = GetRequestPayload()
        get.uniqueIdentifier = "missing"
        let item = await send(server, .get, get)
        XCTAssertEqual(item.resultReason, .itemNotFound)
        await server.observability.audit.flush()
        let last = try XCTUnwrap(try auditLines(dir.path("audit.log")).last?["kmip"] as? [String: Any])
        XCTAssertEqual(last["result_status"] as? String, "OperationFailed")
        XCTAssertEqual(last["result_reason"] as? String, "ItemNotFound")
        XCTAssertEqual(last["unique_identifiers"] as? [String], ["missing"])
        XCTAssertEqual(server.metrics.counterTotal(label: "kmip_requests_total", dimensions: [("operation", "Get"), ("result", "ItemNotFound")]), 1)
    }

    func testFailClosedDeviceStopsKMIPRequests() async throws {
        let server = try await server(audit: ["file_path": "/dev/full", "fail_closed": "true"])
        var create = CreateRequestPayload()
        create.objectType = .symmetricKey
        create.templateAttribute = TemplateAttribute([
            Attribute(CryptographicAlgorithm.aes), Attribute(name: "Cryptographic Length", value: .integer(128)),
            Attribute(CryptographicUsageMask([.encrypt])),
        ])
        let item = await send(server, .create, create)
        XCTAssertEqual(item.resultReason, .generalFailure)
        XCTAssertTrue(item.resultMessage?.contains("audit log unavailable") == true)
        // Disabling the broken device lets requests through again, and Locate shows nothing was created.
        try server.observability.audit.disable(path: "file")
        let located = await send(server, .locate, LocateRequestPayload())
        XCTAssertEqual((located.responsePayload as? LocateResponsePayload)?.uniqueIdentifiers, [])
        XCTAssertEqual(server.metrics.counterTotal(label: "kmip_requests_total", dimensions: [("operation", "Create"), ("result", "GeneralFailure")]), 1)
        XCTAssertGreaterThanOrEqual(server.metrics.counterTotal(label: "audit_log_failures_total", dimensions: [("device", "file/")]), 1)
    }

    func testFailOpenDeviceLetsKMIPRequestsThrough() async throws {
        let server = try await server(audit: ["file_path": "/dev/full"])
        let item = await send(server, .locate, LocateRequestPayload())
        XCTAssertEqual(item.resultStatus, .success)
        await server.observability.audit.flush()
        XCTAssertEqual(server.metrics.counterTotal(label: "audit_log_failures_total", dimensions: [("device", "file/")]), 2,
                       "request and response lines")
    }
}
