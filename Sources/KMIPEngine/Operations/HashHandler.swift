import KMIP
import KMIPCrypto

extension HashRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.hash, roleFlag: nil,
                                                  undo: .reversible)
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> HashResponsePayload {
        try await engine.hash(self, &context)
    }
}

extension KMIPEngine {
    /// Hash (KMIP 1.4 §4.37): the digest of Data with the Hashing Algorithm named in the
    /// Cryptographic Parameters, in one request or streamed.
    func hash(_ request: HashRequestPayload, _ context: inout OperationContext) async throws -> HashResponsePayload {
        let step = try StreamStep(initIndicator: request.initIndicator, finalIndicator: request.finalIndicator,
                                  correlationValue: request.correlationValue)
        var response = HashResponsePayload()
        if try await continueStream(DigestContext.self, step, .hash, context, { digest, isFinal, correlation in
            if let data = request.data { try digest.update(data.bytes) }
            if isFinal {
                response.data = ByteString(try digest.finalize())
            } else {
                response.correlationValue = correlation
            }
        }) {
            return response
        }
        guard let algorithm = request.cryptographicParameters.hashingAlgorithm else {
            throw KMIPError(.invalidField, "Hash needs a Hashing Algorithm in its Cryptographic Parameters")
        }
        let digest = try DigestContext(try DigestAlgorithm(algorithm))
        if let data = request.data { try digest.update(data.bytes) }
        if case .initial = step {
            response.correlationValue = try streams.open(owner: context.streamOwner, operation: .hash, context: digest)
            return response
        }
        guard request.data != nil else { throw KMIPError(.missingData, "Hash needs Data") }
        response.data = ByteString(try digest.finalize())
        return response
    }
}
