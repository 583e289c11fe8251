import KMIP
import KMIPCrypto

extension MACVerifyRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.macVerify, roleFlag: "operation_mac_verify",
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: MACVerifyResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> MACVerifyResponsePayload {
        try await engine.macVerify(self, &context)
    }
}

extension KMIPEngine {
    /// MAC Verify (KMIP 1.4 §4.34): whether MAC Data is the HMAC of Data, answered with the
    /// Validity Indicator; in one request or streamed.
    func macVerify(_ request: MACVerifyRequestPayload, _ context: inout OperationContext) async throws -> MACVerifyResponsePayload {
        let step = try StreamStep(initIndicator: request.initIndicator, finalIndicator: request.finalIndicator,
                                  correlationValue: request.correlationValue)
        var response = MACVerifyResponsePayload()
        if try await continueStream(MACStream.self, step, .macVerify, context, { stream, isFinal, correlation in
            response.uniqueIdentifier = stream.uniqueIdentifier
            context.idPlaceholder = stream.uniqueIdentifier
            if let data = request.data { try stream.hmac.update(data.bytes) }
            if isFinal {
                guard let mac = request.macData ?? stream.macData else {
                    throw KMIPError(.missingData, "MAC Verify needs the MAC Data, with the first or the last part")
                }
                response.validityIndicator = try stream.hmac.verify(mac: mac.bytes) ? .valid : .invalid
            } else {
                response.correlationValue = correlation
            }
        }) {
            return response
        }
        let (record, hmac) = try await macKey(request.uniqueIdentifier, request.cryptographicParameters, &context, use: .verification)
        response.uniqueIdentifier = record.uniqueIdentifier
        let verifier = try hmac.verifier()
        if let data = request.data { try verifier.update(data.bytes) }
        if case .initial = step {
            response.correlationValue = try streams.open(
                owner: context.streamOwner, operation: .macVerify,
                context: MACStream(uniqueIdentifier: record.uniqueIdentifier, hmac: verifier, macData: request.macData))
            return response
        }
        guard request.data != nil else { throw KMIPError(.missingData, "MAC Verify needs Data") }
        guard let mac = request.macData else { throw KMIPError(.missingData, "MAC Verify needs the MAC Data") }
        response.validityIndicator = try verifier.verify(mac: mac.bytes) ? .valid : .invalid
        return response
    }
}
