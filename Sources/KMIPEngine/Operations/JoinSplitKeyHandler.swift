import KMIP
import KMIPCrypto

extension JoinSplitKeyRequestPayload: EngineOperation {
    // Vault has no operation_ flag for Join Split Key: only operation_all allows it.
    static let declaration = OperationDeclaration(.joinSplitKey, roleFlag: nil, undo: .reversible, work: .heavy)
    var auditedObjects: AuditedObjects { .objects(uniqueIdentifiers) }
    static func auditedObjects(of response: JoinSplitKeyResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> JoinSplitKeyResponsePayload {
        try await engine.joinSplitKey(self, &context)
    }
}

extension KMIPEngine {
    /// Join Split Key (KMIP 1.4 §4.39): a new Symmetric Key, Secret Data or Private Key from Split
    /// Keys of one split in the caller's scope. Fewer parts than the threshold, or parts beyond it
    /// that do not fit the others, are a Cryptographic Failure; parts of different splits are an
    /// Invalid Field. The new key's algorithm and length come from the template or the parts' Key
    /// Block; a Private Key is checked as Register checks one.
    func joinSplitKey(_ request: JoinSplitKeyRequestPayload, _ context: inout OperationContext) async throws -> JoinSplitKeyResponsePayload {
        guard [.symmetricKey, .secretData, .privateKey].contains(request.objectType) else {
            throw KMIPError(.invalidField, "Join Split Key makes Symmetric Keys, Secret Data and Private Keys, not \(request.objectType.name ?? "this type")")
        }
        guard !request.uniqueIdentifiers.isEmpty, request.uniqueIdentifiers.count <= CryptoLimits.maxSplitKeyParts else {
            throw KMIPError(.invalidField, "Join Split Key names 1 to \(CryptoLimits.maxSplitKeyParts) Split Keys")
        }
        var parts: [SplitKey] = []
        for uid in request.uniqueIdentifiers { parts.append(try await splitKeyPart(uid, context)) }
        let first = parts[0]
        guard parts.allSatisfy({ Self.sameSplit($0, first) }) else {
            throw KMIPError(.invalidField, "the Split Keys named are not parts of one split")
        }
        let method = try Self.sharingMethod(first.splitKeyMethod, primeFieldSize: first.primeFieldSize)
        let template = try await expandingTemplates(request.templateAttribute ?? TemplateAttribute(), context)
        let algorithm = template[AttributeName.cryptographicAlgorithm]?.value(as: CryptographicAlgorithm.self)
            ?? first.keyBlock.cryptographicAlgorithm
        let bits = template[AttributeName.cryptographicLength]?.value(as: Int32.self) ?? first.keyBlock.cryptographicLength
        let shares = try parts.map { part -> (index: Int, value: SecretBytes) in
            guard case .byteString(let bytes)? = part.keyBlock.plainKeyValue?.keyMaterial else {
                throw KMIPError(.invalidField, "Split Key part \(part.keyPartIdentifier) holds no key material in the clear")
            }
            return (Int(part.keyPartIdentifier), SecretBytes(bytes.bytes))
        }
        let length = request.objectType == .symmetricKey ? bits.map { (Int($0) + 7) / 8 } : nil
        let secret = try await heavyWork(context) {
            try SecretSharing.join(shares, parts: Int(first.splitKeyParts), threshold: Int(first.splitKeyThreshold),
                                   method: method, length: length)
        }
        let material = KeyMaterial.byteString(ByteString(secret.bytes))

        let value: ManagedObject
        switch request.objectType {
        case .symmetricKey:
            guard let algorithm else {
                throw KMIPError(.missingData, "Join Split Key of a Symmetric Key needs a Cryptographic Algorithm")
            }
            value = .symmetricKey(SymmetricKey(KeyBlock(keyFormatType: .raw, keyMaterial: material, cryptographicAlgorithm: algorithm,
                                                        cryptographicLength: Int32(secret.count * 8))))
        case .secretData:
            value = .secretData(SecretData(request.secretDataType ?? .seed, KeyBlock(keyFormatType: .opaque, keyMaterial: material)))
        default:
            value = .privateKey(PrivateKey(KeyBlock(keyFormatType: first.keyBlock.keyFormatType, keyMaterial: material,
                                                    cryptographicAlgorithm: algorithm, cryptographicLength: bits)))
        }
        try Self.checkRegistered(value)
        try Self.checkAsymmetricMaterial(value, attributes: template.attributes)
        let attributes = try newObjectAttributes(objectType: request.objectType, template: template, value: value, context: context)
        var response = JoinSplitKeyResponsePayload()
        response.uniqueIdentifier = try await insertNew(attributes: attributes, value: value, context: &context)
        return response
    }

    /// A Split Key of the caller's scope that is not destroyed, its value as stored.
    func splitKeyPart(_ requested: String, _ context: OperationContext) async throws -> SplitKey {
        let record = try await record(requested, context)
        guard !record.state.isDestroyed, let value = try record.value() else {
            throw KMIPError(.itemNotFound, "object \(record.uniqueIdentifier) has been destroyed")
        }
        guard case .splitKey(let part) = value else {
            throw KMIPError(.invalidObjectType, "object \(record.uniqueIdentifier) is not a Split Key")
        }
        return part
    }

    /// Whether two parts describe the same split: method, counts, field and key block shape.
    static func sameSplit(_ a: SplitKey, _ b: SplitKey) -> Bool {
        a.splitKeyParts == b.splitKeyParts && a.splitKeyThreshold == b.splitKeyThreshold
            && a.splitKeyMethod == b.splitKeyMethod && a.primeFieldSize == b.primeFieldSize
            && a.keyBlock.keyFormatType == b.keyBlock.keyFormatType
            && a.keyBlock.cryptographicAlgorithm == b.keyBlock.cryptographicAlgorithm
            && a.keyBlock.cryptographicLength == b.keyBlock.cryptographicLength
    }
}
