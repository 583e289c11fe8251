import KMIP

/// A handler: the decoded request payload in, the response payload out.
typealias OperationHandler = @Sendable (KMIPEngine, any TTLVCodable, inout OperationContext) async throws -> any TTLVCodable

/// The one registry of operations the engine answers; any other answers Operation Not Supported.
enum OperationTable {
    static let handlers: [Operation: OperationHandler] = [
        .discoverVersions: typed { try await $0.discoverVersions($1, &$2) },
        .create: typed { try await $0.create($1, &$2) },
        .register: typed { try await $0.register($1, &$2) },
        .get: typed { try await $0.get($1, &$2) },
        .getAttributes: typed { try await $0.getAttributes($1, &$2) },
        .getAttributeList: typed { try await $0.getAttributeList($1, &$2) },
        .addAttribute: typed { try await $0.addAttribute($1, &$2) },
        .modifyAttribute: typed { try await $0.modifyAttribute($1, &$2) },
        .deleteAttribute: typed { try await $0.deleteAttribute($1, &$2) },
        .locate: typed { try await $0.locate($1, &$2) },
        .query: typed { try await $0.query($1, &$2) },
        .activate: typed { try await $0.activate($1, &$2) },
        .revoke: typed { try await $0.revoke($1, &$2) },
        .destroy: typed { try await $0.destroy($1, &$2) },
        .reKey: typed { try await $0.reKey($1, &$2) },
        .check: typed { try await $0.check($1, &$2) },
        .archive: typed { try await $0.archive($1, &$2) },
        .recover: typed { try await $0.recover($1, &$2) },
        .obtainLease: typed { try await $0.obtainLease($1, &$2) },
        .getUsageAllocation: typed { try await $0.getUsageAllocation($1, &$2) },
        .createKeyPair: typed { try await $0.createKeyPair($1, &$2) },
        .reKeyKeyPair: typed { try await $0.reKeyKeyPair($1, &$2) },
        .`import`: typed { try await $0.importObject($1, &$2) },
        .encrypt: typed { try await $0.encrypt($1, &$2) },
        .decrypt: typed { try await $0.decrypt($1, &$2) },
        .sign: typed { try await $0.sign($1, &$2) },
        .signatureVerify: typed { try await $0.signatureVerify($1, &$2) },
        .mac: typed { try await $0.mac($1, &$2) },
        .macVerify: typed { try await $0.macVerify($1, &$2) },
        .rngRetrieve: typed { try await $0.rngRetrieve($1, &$2) },
        .rngSeed: typed { try await $0.rngSeed($1, &$2) },
        .hash: typed { try await $0.hash($1, &$2) },
    ]

    /// Adapts a typed handler; a payload of another type means the codec could not type it.
    static func typed<Request: KMIPStruct, Response: KMIPStruct>(
        _ body: @escaping @Sendable (KMIPEngine, Request, inout OperationContext) async throws -> Response
    ) -> OperationHandler {
        { engine, payload, context in
            guard let request = payload as? Request else {
                throw KMIPError(.invalidMessage, "the Request Payload is not a \(Request.self)")
            }
            return try await body(engine, request, &context)
        }
    }
}
