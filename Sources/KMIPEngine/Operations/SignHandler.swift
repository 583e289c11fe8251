import KMIP
import KMIPCrypto
import KMIPStore

extension SignRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.sign, roleFlag: "operation_sign",
                                                  undo: .reversible, work: .heavy)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: SignResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> SignResponsePayload {
        try await engine.sign(self, &context)
    }
}

/// Where a request stands in a KMIP multi-part (streaming) operation (KMIP 1.4 §4.31–4.37).
enum StreamStep {
    /// No Init Indicator, no Correlation Value: the whole input in one request.
    case oneShot
    /// Init Indicator: open a stream, answer its Correlation Value.
    case initial
    /// Correlation Value without Final Indicator: more input.
    case middle(ByteString)
    /// Correlation Value with Final Indicator: the last input, then the result.
    case final(ByteString)

    init(initIndicator: Bool?, finalIndicator: Bool?, correlationValue: ByteString?) throws {
        if let correlationValue {
            guard initIndicator != true else {
                throw KMIPError(.invalidField, "an Init Indicator opens a stream; it cannot come with a Correlation Value")
            }
            self = finalIndicator == true ? .final(correlationValue) : .middle(correlationValue)
        } else if initIndicator == true, finalIndicator != true {
            self = .initial
        } else if finalIndicator == true, initIndicator != true {
            throw KMIPError(.invalidField, "a Final Indicator needs the Correlation Value of an open stream")
        } else {
            // Init and Final together: a stream of one part, i.e. one-shot.
            self = .oneShot
        }
    }
}

/// An open Sign stream: the object's identifier and the signer.
struct SignStream: Sendable {
    let uniqueIdentifier: String
    let signer: SigningContext
}

extension KMIPEngine {
    /// Sign (KMIP 1.4 §4.31): a Private Key with the Sign usage signs Data (or a Digested Data),
    /// in one request or streamed.
    func sign(_ request: SignRequestPayload, _ context: inout OperationContext) async throws -> SignResponsePayload {
        let step = try StreamStep(initIndicator: request.initIndicator, finalIndicator: request.finalIndicator,
                                  correlationValue: request.correlationValue)
        var response = SignResponsePayload()
        if try await continueStream(SignStream.self, step, .sign, context, { stream, isFinal, correlation in
            response.uniqueIdentifier = stream.uniqueIdentifier
            context.idPlaceholder = stream.uniqueIdentifier
            if let data = request.data { try stream.signer.update(data.bytes) }
            if isFinal {
                let signer = stream.signer
                response.signatureData = ByteString(try await heavyWork(context) { try signer.finalize() })
            } else {
                response.correlationValue = correlation
            }
        }) {
            return response
        }
        let (record, value) = try await cryptographicObject(request.uniqueIdentifier, &context, usage: .sign, direction: .protect)
        guard case .privateKey = value else {
            throw KMIPError(.invalidObjectType, "Sign needs a Private Key; object \(record.uniqueIdentifier) is a \(value.objectType.name ?? "different type")")
        }
        let key = try signatureKey(value, record)
        let parameters = Self.cryptoServiceParameters(request.cryptographicParameters, record)
        let scheme = try SignatureScheme(parameters: parameters, key: key)
        response.uniqueIdentifier = record.uniqueIdentifier
        if case .initial = step {
            guard request.digestedData == nil else {
                throw KMIPError(.invalidField, "Digested Data is a single-part input; it cannot be streamed")
            }
            let signer = try SigningContext(key: key, scheme: scheme)
            if let data = request.data { try signer.update(data.bytes) }
            response.correlationValue = try streams.open(
                owner: context.streamOwner, operation: .sign,
                context: SignStream(uniqueIdentifier: record.uniqueIdentifier, signer: signer))
            return response
        }
        switch (request.data, request.digestedData) {
        case (let data?, nil):
            response.signatureData = ByteString(try await heavyWork(context) { try key.sign(data.bytes, scheme: scheme) })
        case (nil, let digest?):
            response.signatureData = ByteString(try await heavyWork(context) { try key.sign(digest: digest.bytes, scheme: scheme) })
        case (nil, nil):
            throw KMIPError(.missingData, "Sign needs Data or Digested Data")
        case (_?, _?):
            throw KMIPError(.invalidField, "Sign takes Data or Digested Data, not both")
        }
        return response
    }

    /// The Cryptographic Parameters an operation uses: the request's when it has them, else the
    /// object's (first) Cryptographic Parameters attribute (KMIP 1.4 §4.31–4.34), else none. Not
    /// merged field by field: a request's Digital Signature Algorithm must not be mixed with a
    /// stored Hashing Algorithm or Padding Method it contradicts.
    static func cryptoServiceParameters(_ requested: CryptographicParameters?, _ record: ManagedObjectRecord) -> CryptographicParameters {
        requested
            ?? record.attributes.first(AttributeName.cryptographicParameters)?.value(as: CryptographicParameters.self)
            ?? CryptographicParameters()
    }

    /// The OpenSSL key of a Public or Private Key object, read from its Key Block.
    func signatureKey(_ value: ManagedObject, _ record: ManagedObjectRecord) throws -> AsymmetricKey {
        let isPrivate: Bool
        switch value {
        case .privateKey: isPrivate = true
        case .publicKey: isPrivate = false
        default:
            throw KMIPError(.invalidObjectType, "object \(record.uniqueIdentifier) is not a Public or Private Key")
        }
        guard let block = value.keyBlock else {
            throw KMIPError(.invalidObjectType, "object \(record.uniqueIdentifier) has no Key Block")
        }
        guard let key = block.plainKeyValue else {
            throw KMIPError(.cryptographicFailure, "object \(record.uniqueIdentifier) is wrapped; it cannot be used")
        }
        let algorithm = block.cryptographicAlgorithm
            ?? record.attributes.first(AttributeName.cryptographicAlgorithm)?.value(as: CryptographicAlgorithm.self)
        let curve = record.attributes.first("Cryptographic Domain Parameters")?
            .value(as: CryptographicDomainParameters.self)?.recommendedCurve
        // Stored keys were validated when they arrived: no full OpenSSL check per signature.
        return try storedKeys.key(scopeID: record.scopeID, uniqueIdentifier: record.uniqueIdentifier, material: key.keyMaterial) {
            try AsymmetricKey.$loadingStoredKey.withValue(true) {
                try AsymmetricKey.importing(key.keyMaterial, format: block.keyFormatType, algorithm: algorithm,
                                            curve: curve, isPrivate: isPrivate)
            }
        }
    }
}
