import Foundation
import KMIP
import KMIPPKI
import KMIPStore
import KMIPTestSupport
import Logging
import Metrics
import XCTest
@testable import KMIPEngine

/// A clock tests move by hand, so Initial Dates (and so Locate's order) are deterministic.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: Int64
    init(_ start: Int64) { seconds = start }
    var now: DateTime { lock.withLock { DateTime(secondsSince1970: seconds) } }
    func advance(_ by: Int64 = 1) { lock.withLock { seconds += by } }
}

/// An engine over a store (in memory or a temporary SQLite file) with one scope, an all-operations
/// role and a listed credential, driven through `KMIPEngine.respond(to:client:)`.
final class EngineHarness: @unchecked Sendable {
    enum Backend: String, CaseIterable { case memory, sqlite }

    let objects: any ObjectStore
    let mount: any MountStore
    let engine: KMIPEngine
    let clock: TestClock
    private(set) var client: ClientIdentity!
    private var directory: URL?

    init(_ backend: Backend = .memory, start: Int64 = 1_700_000_000, metrics: any MetricsFactory = MetricsSystem.factory) throws {
        let memory = InMemoryStore()
        mount = memory.mountStore(mountID: "mountAAA")
        switch backend {
        case .memory:
            objects = memory
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engine-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            self.directory = directory
            objects = try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path, keyring: .random())
        }
        let clock = TestClock(start)
        self.clock = clock
        engine = KMIPEngine(objects: objects, mount: mount, logger: Logger(label: "test"), clock: { clock.now }, metrics: metrics)
    }

    deinit {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    static func make(_ backend: Backend = .memory, metrics: any MetricsFactory = MetricsSystem.factory) async throws -> EngineHarness {
        let harness = try EngineHarness(backend, metrics: metrics)
        harness.client = try await harness.makeClient(scope: "default")
        return harness
    }

    /// A scope (created if new), a role and a listed credential, as the mount would create them.
    func makeClient(scope name: String, role roleName: String = "admin", all: Bool = true,
                    operations: Set<KMIP.Operation> = []) async throws -> ClientIdentity {
        let scope: ScopeRecord
        if let existing = try await mount.scope(named: name) { scope = existing } else {
            scope = ScopeRecord(name: name)
            try await mount.insertScope(scope)
        }
        let role = RoleRecord(scopeID: scope.id, name: roleName, allowsAllOperations: all, operations: operations)
        try await mount.putRole(role)
        let serial = String(UInt64.random(in: 1...UInt64.max))
        try await mount.addCredential(CredentialRecord(serialNumber: serial, scopeID: scope.id, roleName: roleName,
                                                       certificateDER: [], expiresAt: DateTime(secondsSince1970: 4_000_000_000)))
        return ClientIdentity(scopeID: scope.id, roleID: role.id, serialNumber: serial)
    }

    /// Sends a request and returns the response as a client decodes it from the wire (so fields
    /// the version lacks are gone).
    func send(_ items: [RequestBatchItem], version: ProtocolVersion = .v1_4, as client: ClientIdentity? = nil) async -> ResponseMessage {
        var header = RequestHeader(protocolVersion: version, batchCount: Int32(items.count))
        header.protocolVersion = version
        let request = RequestMessage(header: header, batchItems: items)
        let response = await engine.respond(to: request, client: client ?? self.client)
        return try! ResponseMessage(ttlv: response.encoded())
    }

    func one(_ operation: KMIP.Operation, _ payload: some KMIPStruct, version: ProtocolVersion = .v1_4,
             as client: ClientIdentity? = nil) async -> ResponseBatchItem {
        let response = await send([RequestBatchItem(operation: operation, payload: payload)], version: version, as: client)
        XCTAssertEqual(response.responseHeader.protocolVersion, version)
        return response.batchItems[0]
    }

    /// The response payload of a request that must succeed.
    func succeed<R: KMIPStruct>(_ operation: KMIP.Operation, _ payload: some KMIPStruct, _: R.Type, version: ProtocolVersion = .v1_4,
                                as client: ClientIdentity? = nil, file: StaticString = #filePath, line: UInt = #line) async throws -> R {
        let item = await one(operation, payload, version: version, as: client)
        XCTAssertEqual(item.resultStatus, .success, item.resultMessage ?? "", file: file, line: line)
        return try XCTUnwrap(item.responsePayload as? R, "payload of \(operation)", file: file, line: line)
    }

    /// Asserts that a request fails with `reason`.
    func fail(_ operation: KMIP.Operation, _ payload: some KMIPStruct, _ reason: ResultReason, version: ProtocolVersion = .v1_4,
              as client: ClientIdentity? = nil, file: StaticString = #filePath, line: UInt = #line) async {
        let item = await one(operation, payload, version: version, as: client)
        XCTAssertEqual(item.resultStatus, .operationFailed, file: file, line: line)
        XCTAssertEqual(item.resultReason, reason, item.resultMessage ?? "", file: file, line: line)
    }

    /// Creates an AES key (one second after the previous object) and returns its identifier.
    @discardableResult
    func createKey(_ length: Int32 = 256, names: [String] = [], attributes: [Attribute] = [],
                   as client: ClientIdentity? = nil, file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        clock.advance()
        var p = CreateRequestPayload()
        p.objectType = .symmetricKey
        p.templateAttribute = TemplateAttribute([
            Attribute(CryptographicAlgorithm.aes),
            Attribute(name: "Cryptographic Length", value: .integer(length)),
            Attribute(CryptographicUsageMask([.encrypt, .decrypt])),
        ] + names.map { Attribute(Name($0)) } + attributes)
        return try await succeed(.create, p, CreateResponsePayload.self, as: client, file: file, line: line).uniqueIdentifier
    }

    /// Registers a Secret Data object and returns its identifier.
    @discardableResult
    func registerSecret(names: [String] = [], attributes: [Attribute] = [], file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        clock.advance()
        var p = RegisterRequestPayload()
        p.objectType = .secretData
        p.object = .secretData(SecretData(.password, KeyBlock(keyFormatType: .opaque, keyMaterial: .byteString(ByteString(Array("s3cret".utf8))))))
        p.templateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.verify]))]
                                                + names.map { Attribute(Name($0)) } + attributes)
        return try await succeed(.register, p, RegisterResponsePayload.self, file: file, line: line).uniqueIdentifier
    }

    func record(_ uid: String, in client: ClientIdentity? = nil) async throws -> ManagedObjectRecord? {
        try await objects.object(scopeID: (client ?? self.client).scopeID, uniqueIdentifier: uid)
    }
}

extension GetAttributesRequestPayload {
    init(_ uid: String?, _ names: [String] = []) { self.init(); uniqueIdentifier = uid; attributeNames = names }
}

extension GetAttributeListRequestPayload {
    init(_ uid: String?) { self.init(); uniqueIdentifier = uid }
}

extension AddAttributeRequestPayload {
    init(_ uid: String?, _ attribute: Attribute) { self.init(); uniqueIdentifier = uid; self.attribute = attribute }
}

extension ModifyAttributeRequestPayload {
    init(_ uid: String?, _ attribute: Attribute) { self.init(); uniqueIdentifier = uid; self.attribute = attribute }
}

extension DeleteAttributeRequestPayload {
    init(_ uid: String?, _ name: String, index: Int32? = nil) {
        self.init(); uniqueIdentifier = uid; attributeName = name; attributeIndex = index
    }
}

extension LocateRequestPayload {
    init(_ attributes: [Attribute], maximum: Int32? = nil, offset: Int32? = nil, storage: StorageStatusMask? = nil,
         member: ObjectGroupMember? = nil) {
        self.init()
        self.attributes = attributes; maximumItems = maximum; offsetItems = offset
        storageStatusMask = storage; objectGroupMember = member
    }
}

extension QueryRequestPayload {
    init(_ functions: [QueryFunction]) { self.init(); queryFunctions = functions }
}

extension KeyWrappingSpecification {
    /// Wrapping by Encrypt under `kek` with AES Key Wrap (RFC 3394).
    static func aesKeyWrap(_ kek: String, encoding: EncodingOption = .noEncoding) -> KeyWrappingSpecification {
        var s = KeyWrappingSpecification()
        s.wrappingMethod = .encrypt
        s.encryptionKeyInformation = EncryptionKeyInformation(kek, CryptographicParameters(.nISTKeyWrap))
        s.encodingOption = encoding
        return s
    }
}

extension EngineHarness {
    /// The Key Block a Get of `uid` returns, wrapped, unwrapped or as stored as the request asks.
    func keyBlock(_ uid: String, wrapType: KeyWrapType? = nil, spec: KeyWrappingSpecification? = nil) async throws -> KeyBlock {
        var p = GetRequestPayload()
        p.uniqueIdentifier = uid
        p.keyWrapType = wrapType
        p.keyWrappingSpecification = spec
        let r = try await succeed(.get, p, GetResponsePayload.self)
        return try XCTUnwrap(r.object?.keyBlock)
    }
}
