import KMIP
import KMIPCrypto

extension CreateSplitKeyRequestPayload: EngineOperation {
    // Vault has no operation_ flag for Create Split Key: only operation_all allows it.
    static let declaration = OperationDeclaration(.createSplitKey, roleFlag: nil, undo: .reversible, work: .heavy)
    var auditedObjects: AuditedObjects { uniqueIdentifier.map { .objects([$0]) } ?? .none }
    static func auditedObjects(of response: CreateSplitKeyResponsePayload) -> [String] { response.uniqueIdentifiers }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> CreateSplitKeyResponsePayload {
        try await engine.createSplitKey(self, &context)
    }
}

extension KMIPEngine {
    /// Create Split Key (KMIP 1.4 §4.38): splits the key the request names — or a new Symmetric Key
    /// made from the template when it names none — into Split Key objects 1…n, and makes part 1
    /// the ID Placeholder. Splitting hands the key out in pieces, so a key that could not be read
    /// with Get (Sensitive, not Extractable, destroyed, wrapped) is not split either. Each part
    /// links to the key it came from with a Parent Link.
    func createSplitKey(_ request: CreateSplitKeyRequestPayload, _ context: inout OperationContext) async throws -> CreateSplitKeyResponsePayload {
        guard request.objectType == .splitKey else {
            throw KMIPError(.invalidField, "Create Split Key makes Split Keys, not \(request.objectType.name ?? "this type")")
        }
        let method = try Self.sharingMethod(request.splitKeyMethod, primeFieldSize: request.primeFieldSize)
        try SecretSharing.checkCounts(parts: Int(request.splitKeyParts), threshold: Int(request.splitKeyThreshold), method: method)
        let template = try await expandingTemplates(request.templateAttribute, context)

        let source: KeyBlock
        let parent: String?
        if let requested = request.uniqueIdentifier {
            let record = try await splittableRecord(requested, context)
            source = record.block
            parent = record.uniqueIdentifier
        } else {
            source = try Self.generateSymmetricKey(template)
            parent = nil
        }
        guard case .byteString(let material)? = source.plainKeyValue?.keyMaterial, !material.bytes.isEmpty else {
            throw KMIPError(.invalidField, "only key material held as a byte string can be split")
        }
        let secret = SecretBytes(material.bytes)
        let shares = try await heavyWork(context) {
            try SecretSharing.split(secret, parts: Int(request.splitKeyParts), threshold: Int(request.splitKeyThreshold), method: method)
        }

        var response = CreateSplitKeyResponsePayload()
        for (index, share) in shares.enumerated() {
            var part = SplitKey()
            part.splitKeyParts = request.splitKeyParts
            part.keyPartIdentifier = Int32(index + 1)
            part.splitKeyThreshold = request.splitKeyThreshold
            part.splitKeyMethod = request.splitKeyMethod
            part.primeFieldSize = request.primeFieldSize
            part.keyBlock = KeyBlock(keyFormatType: source.keyFormatType, keyMaterial: .byteString(ByteString(share.bytes)),
                                     cryptographicAlgorithm: source.cryptographicAlgorithm,
                                     cryptographicLength: source.cryptographicLength)
            var attributes = try newObjectAttributes(objectType: .splitKey, template: template, value: .splitKey(part),
                                                     generated: true, context: context)
            if let parent { attributes.append(Attribute(Link(.parentLink, parent))) }
            response.uniqueIdentifiers.append(try await insertNew(attributes: attributes, value: .splitKey(part), context: &context))
        }
        // §4.38: the ID Placeholder is the part whose Key Part Identifier is 1.
        context.idPlaceholder = response.uniqueIdentifiers.first
        return response
    }

    /// The key to split: in the caller's scope, not destroyed, readable with Get, held in the clear.
    func splittableRecord(_ requested: String, _ context: OperationContext) async throws -> (uniqueIdentifier: String, block: KeyBlock) {
        let record = try await record(requested, context)
        guard !record.state.isDestroyed, let value = try record.value() else {
            throw KMIPError(.itemNotFound, "object \(record.uniqueIdentifier) has been destroyed")
        }
        guard [.symmetricKey, .secretData, .privateKey].contains(value.objectType), let block = value.keyBlock else {
            throw KMIPError(.invalidObjectType, "Symmetric Keys, Secret Data and Private Keys are split; object \(record.uniqueIdentifier) is a \(value.objectType.name ?? "different type")")
        }
        if record.attributes.first(AttributeName.extractable)?.value(as: Bool.self) == false {
            throw KMIPError(.notExtractable, "object \(record.uniqueIdentifier) is not extractable; it is not split")
        }
        if Self.isSensitive(record) {
            throw KMIPError(.sensitive, "object \(record.uniqueIdentifier) is Sensitive; it is not split into parts in the clear")
        }
        guard block.plainKeyValue != nil else {
            throw KMIPError(.cryptographicFailure, "object \(record.uniqueIdentifier) is wrapped; it cannot be split")
        }
        return (record.uniqueIdentifier, block)
    }

    /// KMIPCrypto's sharing method for a Split Key Method (and its Prime Field Size).
    static func sharingMethod(_ method: SplitKeyMethod, primeFieldSize: BigInteger?) throws -> SecretSharing.Method {
        switch method {
        case .xor: return .xor
        case .polynomialSharingGF28: return .gf256
        case .polynomialSharingGF216: return .gf65536
        case .polynomialSharingPrimeField:
            guard let primeFieldSize, !primeFieldSize.isNegative else {
                throw KMIPError(.missingData, "Polynomial Sharing Prime Field needs a positive Prime Field Size")
            }
            return .primeField(primeFieldSize.unsignedMagnitude)
        default:
            throw KMIPError(.invalidField, "Split Key Method \(method.name ?? "\(method.rawValue)") is not one KMIP defines")
        }
    }
}
