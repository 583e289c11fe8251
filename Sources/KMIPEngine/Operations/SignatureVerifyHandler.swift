import KMIP
import KMIPCrypto

extension SignatureVerifyRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.signatureVerify, roleFlag: "operation_signature_verify",
                                                  undo: .reversible, work: .heavy)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: SignatureVerifyResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> SignatureVerifyResponsePayload {
        try await engine.signatureVerify(self, &context)
    }
}

/// An open Signature Verify stream: the object's identifier, the verifier and the signature when
/// it came with the first part (it may also come with the last).
struct VerifyStream: Sendable {
    let uniqueIdentifier: String
    let verifier: VerificationContext
    let signature: ByteString?
}

extension KMIPEngine {
    /// Signature Verify also checks SHA-1 and MD5 signatures (old data; the OASIS CS-AC-M cases
    /// verify with SHA-1 and expect an answer, not an error). Sign never makes them.
    static let signatureVerifyPolicy = SignaturePolicy.legacyVerification

    /// Signature Verify (KMIP 1.4 §4.32): a Public Key with the Verify usage checks a signature of
    /// Data (or of a Digested Data). A signature that does not verify is a success with Validity
    /// Indicator Invalid; only errors of use (parameters, key, object) fail.
    func signatureVerify(_ request: SignatureVerifyRequestPayload, _ context: inout OperationContext) async throws
        -> SignatureVerifyResponsePayload {
        let step = try StreamStep(initIndicator: request.initIndicator, finalIndicator: request.finalIndicator,
                                  correlationValue: request.correlationValue)
        var response = SignatureVerifyResponsePayload()
        if try await continueStream(VerifyStream.self, step, .signatureVerify, context, { stream, isFinal, correlation in
            response.uniqueIdentifier = stream.uniqueIdentifier
            context.idPlaceholder = stream.uniqueIdentifier
            if let data = request.data { try stream.verifier.update(data.bytes) }
            if isFinal {
                guard let signature = request.signatureData ?? stream.signature else {
                    throw KMIPError(.missingData, "Signature Verify needs the Signature Data, with the first or the last part")
                }
                let verifier = stream.verifier
                let valid = try await heavyWork(context) { try verifier.finalize(signature: signature.bytes) }
                response.validityIndicator = valid ? .valid : .invalid
            } else {
                response.correlationValue = correlation
            }
        }) {
            return response
        }
        let (record, value) = try await cryptographicObject(request.uniqueIdentifier, &context, usage: .verify, direction: .process)
        guard case .publicKey = value else {
            throw KMIPError(.invalidObjectType, "Signature Verify needs a Public Key; object \(record.uniqueIdentifier) is a \(value.objectType.name ?? "different type")")
        }
        let key = try signatureKey(value, record)
        let parameters = Self.cryptoServiceParameters(request.cryptographicParameters, record)
        response.uniqueIdentifier = record.uniqueIdentifier
        if case .oneShot = step, Self.namesAnotherKeyKind(parameters, key) {
            // No signature made under RSA parameters is an EC key's (or the reverse): the answer is
            // Invalid, as for any signature that does not verify (TC-ECDSA-SIGN-DIGESTEDDATA-1-14).
            guard request.signatureData != nil else { throw KMIPError(.missingData, "Signature Verify needs the Signature Data") }
            response.validityIndicator = .invalid
            return response
        }
        var scheme = try SignatureScheme(parameters: parameters, key: key)
        if case .rsaPSS(let hash, let mgf1, _) = scheme, parameters.saltLength == nil {
            // No Salt Length named: accept the salt the signature carries (signers differ: digest
            // length, maximum, 20 bytes…), as OpenSSL's verifiers do by default.
            scheme = .rsaPSS(hash, mgf1: mgf1, saltLength: .auto)
        }
        response.uniqueIdentifier = record.uniqueIdentifier
        if case .initial = step {
            guard request.digestedData == nil else {
                throw KMIPError(.invalidField, "Digested Data is a single-part input; it cannot be streamed")
            }
            let verifier = try VerificationContext(key: key, scheme: scheme, policy: Self.signatureVerifyPolicy)
            if let data = request.data { try verifier.update(data.bytes) }
            response.correlationValue = try streams.open(
                owner: context.streamOwner, operation: .signatureVerify,
                context: VerifyStream(uniqueIdentifier: record.uniqueIdentifier, verifier: verifier, signature: request.signatureData))
            return response
        }
        guard let signature = request.signatureData else {
            throw KMIPError(.missingData, "Signature Verify needs the Signature Data")
        }
        let valid: Bool
        switch (request.data, request.digestedData) {
        case (let data?, nil):
            let chosen = scheme
            valid = try await heavyWork(context) { try key.verify(signature.bytes, message: data.bytes, scheme: chosen, policy: Self.signatureVerifyPolicy) }
        case (nil, let digest?):
            let chosen = scheme
            valid = try await heavyWork(context) { try key.verify(signature.bytes, digest: digest.bytes, scheme: chosen, policy: Self.signatureVerifyPolicy) }
        case (nil, nil):
            throw KMIPError(.missingData, "Signature Verify needs Data or Digested Data")
        case (_?, _?):
            throw KMIPError(.invalidField, "Signature Verify takes Data or Digested Data, not both")
        }
        response.validityIndicator = valid ? .valid : .invalid
        return response
    }
}

extension KMIPEngine {
    /// True when the parameters name a Cryptographic Algorithm of another kind of key than `key`.
    static func namesAnotherKeyKind(_ parameters: CryptographicParameters, _ key: AsymmetricKey) -> Bool {
        guard let algorithm = parameters.cryptographicAlgorithm else { return false }
        return (try? AsymmetricKeyKind(algorithm, curve: key.curve?.recommendedCurve)) != key.kind
    }
}
