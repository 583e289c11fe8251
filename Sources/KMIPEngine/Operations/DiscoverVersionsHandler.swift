import KMIP

extension KMIPEngine {
    /// Discover Versions: ours, highest first, filtered by the client's list when it sends one.
    func discoverVersions(_ request: DiscoverVersionsRequestPayload, _ context: inout OperationContext) async throws -> DiscoverVersionsResponsePayload {
        var response = DiscoverVersionsResponsePayload()
        response.protocolVersions = ProtocolVersion.discoverVersions(clientVersions: request.protocolVersions)
        return response
    }
}
