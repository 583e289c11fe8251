import KMIP

extension DiscoverVersionsRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.discoverVersions, roleFlag: "operation_discover_versions",
                                                  undo: .reversible)
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> DiscoverVersionsResponsePayload {
        try await engine.discoverVersions(self, &context)
    }
}

extension KMIPEngine {
    /// Discover Versions: ours, highest first, filtered by the client's list when it sends one.
    func discoverVersions(_ request: DiscoverVersionsRequestPayload, _ context: inout OperationContext) async throws -> DiscoverVersionsResponsePayload {
        var response = DiscoverVersionsResponsePayload()
        response.protocolVersions = ProtocolVersion.discoverVersions(clientVersions: request.protocolVersions)
        return response
    }
}
