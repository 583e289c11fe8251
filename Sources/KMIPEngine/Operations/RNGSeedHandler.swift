import KMIP
import KMIPCrypto

extension RNGSeedRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.rngSeed, roleFlag: "operation_rng_seed",
                                                  undo: .irreversible)
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> RNGSeedResponsePayload {
        try await engine.rngSeed(self, &context)
    }
}

extension KMIPEngine {
    /// RNG Seed (KMIP 1.4 §4.36): the Data is mixed into OpenSSL's DRBG as additional input
    /// (never replacing its entropy); the answer is how many bytes were taken: all of them.
    func rngSeed(_ request: RNGSeedRequestPayload, _ context: inout OperationContext) async throws -> RNGSeedResponsePayload {
        try RNG.seed(request.data.bytes)
        var response = RNGSeedResponsePayload()
        response.dataLength = Int32(request.data.bytes.count)
        return response
    }
}
