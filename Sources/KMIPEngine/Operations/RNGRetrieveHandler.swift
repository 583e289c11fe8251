import KMIP
import KMIPCrypto

extension RNGRetrieveRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.rngRetrieve, roleFlag: "operation_rng_retrieve",
                                                  undo: .reversible)
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> RNGRetrieveResponsePayload {
        try await engine.rngRetrieve(self, &context)
    }
}

extension KMIPEngine {
    /// RNG Retrieve (KMIP 1.4 §4.35): Data Length bytes from OpenSSL's DRBG (at most
    /// `CryptoLimits.maxRNGCount`; a length out of range is Invalid Field).
    func rngRetrieve(_ request: RNGRetrieveRequestPayload, _ context: inout OperationContext) async throws -> RNGRetrieveResponsePayload {
        var response = RNGRetrieveResponsePayload()
        response.data = ByteString(try RNG.retrieve(count: Int(request.dataLength)).bytes)
        return response
    }
}
