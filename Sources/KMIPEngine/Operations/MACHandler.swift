import KMIP
import KMIPCrypto
import KMIPStore

extension MACRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.mac, roleFlag: "operation_mac",
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: MACResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> MACResponsePayload {
        try await engine.mac(self, &context)
    }
}

/// An open MAC or MAC Verify stream: the object's identifier and the HMAC context (and, for MAC
/// Verify, the MAC Data when it came with the first part).
struct MACStream: Sendable {
    let uniqueIdentifier: String
    let hmac: HMACContext
    let macData: ByteString?
}

extension KMIPEngine {
    /// The policy for MAC and MAC Verify: MD4, MD5 and SHA-1 are refused for both (docs/security.md, Algorithms).
    static let macPolicy = MACPolicy.default

    /// MAC (KMIP 1.4 §4.33): HMAC of Data with a symmetric key, in one request or streamed.
    func mac(_ request: MACRequestPayload, _ context: inout OperationContext) async throws -> MACResponsePayload {
        let step = try StreamStep(initIndicator: request.initIndicator, finalIndicator: request.finalIndicator,
                                  correlationValue: request.correlationValue)
        var response = MACResponsePayload()
        if try await continueStream(MACStream.self, step, .mac, context, { stream, isFinal, correlation in
            response.uniqueIdentifier = stream.uniqueIdentifier
            context.idPlaceholder = stream.uniqueIdentifier
            if let data = request.data { try stream.hmac.update(data.bytes) }
            if isFinal {
                response.macData = ByteString(try stream.hmac.finalize())
            } else {
                response.correlationValue = correlation
            }
        }) {
            return response
        }
        let (record, hmac) = try await macKey(request.uniqueIdentifier, request.cryptographicParameters, &context, use: .generation)
        response.uniqueIdentifier = record.uniqueIdentifier
        let generator = try hmac.generator()
        if let data = request.data { try generator.update(data.bytes) }
        if case .initial = step {
            response.correlationValue = try streams.open(
                owner: context.streamOwner, operation: .mac,
                context: MACStream(uniqueIdentifier: record.uniqueIdentifier, hmac: generator, macData: nil))
            return response
        }
        guard request.data != nil else { throw KMIPError(.missingData, "MAC needs Data") }
        response.macData = ByteString(try generator.finalize())
        return response
    }

    /// The object named for MAC or MAC Verify, checked (usage, State, dates, type), with its HMAC.
    func macKey(_ requested: String?, _ parameters: CryptographicParameters?, _ context: inout OperationContext,
                use: MACPolicy.Use) async throws -> (ManagedObjectRecord, HMAC) {
        let usage: CryptographicUsageMask = use == .generation ? .macGenerate : .macVerify
        let (record, value) = try await cryptographicObject(requested, &context, usage: usage,
                                                             direction: use == .generation ? .protect : .process)
        guard case .symmetricKey(let key) = value else {
            throw KMIPError(.invalidObjectType, "MAC needs a Symmetric Key; object \(record.uniqueIdentifier) is a \(value.objectType.name ?? "different type")")
        }
        guard let keyValue = key.keyBlock.plainKeyValue else {
            throw KMIPError(.cryptographicFailure, "object \(record.uniqueIdentifier) is wrapped; it cannot be used")
        }
        let secret: SecretBytes
        switch keyValue.keyMaterial {
        case .byteString(let bytes): secret = SecretBytes(bytes.bytes)
        case .transparentSymmetricKey(let t): secret = SecretBytes(t.key.bytes)
        default: throw KMIPError(.invalidField, "object \(record.uniqueIdentifier) holds no symmetric key material")
        }
        let merged = Self.cryptoServiceParameters(parameters, record)
        let keyAlgorithm = key.keyBlock.cryptographicAlgorithm
            ?? record.attributes.first(AttributeName.cryptographicAlgorithm)?.value(as: CryptographicAlgorithm.self)
        let implied = (merged.cryptographicAlgorithm ?? keyAlgorithm).flatMap(Self.hmacHash)
        if let given = merged.hashingAlgorithm, let implied, given != implied {
            throw KMIPError(.invalidField, "Hashing Algorithm \(given) contradicts the key's HMAC algorithm")
        }
        guard let hash = merged.hashingAlgorithm ?? implied else {
            throw KMIPError(.invalidField, "MAC needs a Hashing Algorithm, or a key whose Cryptographic Algorithm is an HMAC")
        }
        try Self.macPolicy.check(hash, for: use)
        return (record, try HMAC(hash, key: secret, policy: Self.macPolicy))
    }

    /// The hash an HMAC Cryptographic Algorithm names.
    static func hmacHash(_ algorithm: CryptographicAlgorithm) -> HashingAlgorithm? {
        switch algorithm {
        case .hmacSHA1: .sha1
        case .hmacSHA224: .sha224
        case .hmacSHA256: .sha256
        case .hmacSHA384: .sha384
        case .hmacSHA512: .sha512
        case .hmacMD5: .md5
        case .hmacSHA3224: .sha3224
        case .hmacSHA3256: .sha3256
        case .hmacSHA3384: .sha3384
        case .hmacSHA3512: .sha3512
        default: nil
        }
    }
}
