import KMIP

extension RegisterRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.register, roleFlag: "operation_register",
                                                  undo: .reversible)
    static func auditedObjects(of response: RegisterResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> RegisterResponsePayload {
        try await engine.register(self, &context)
    }
}

extension KMIPEngine {
    /// Register: stores an object the client supplies, with the client's attributes.
    func register(_ request: RegisterRequestPayload, _ context: inout OperationContext) async throws -> RegisterResponsePayload {
        guard var object = request.object else {
            throw KMIPError(.missingData, "Register needs the object to register")
        }
        var template = try await expandingTemplates(request.templateAttribute, context)
        if case .template(let registered) = object {
            let split = try Self.registeredTemplate(registered, template, version: context.version)
            object = .template(split.template)
            template = split.attributes
        }
        guard object.objectType == request.objectType else {
            throw KMIPError(.invalidField, "the object is a \(object.objectType.name ?? "different type"), not the Object Type named")
        }
        if case .privateKey(let key) = object, key.keyBlock.keyFormatType == .pkcs12 {
            guard let file = Self.pkcs12Bytes(key.keyBlock) else {
                throw KMIPError(.invalidField, "a PKCS#12 Key Value is the file's bytes")
            }
            var response = RegisterResponsePayload()
            response.uniqueIdentifier = try await registerPKCS12(file, template: template, &context)
            return response
        }
        try Self.checkRegistered(object, attributes: template.attributes)
        try Self.checkAsymmetricMaterial(object, attributes: template.attributes)
        let attributes = try newObjectAttributes(objectType: request.objectType, template: template,
                                                 value: object, context: context)
        var response = RegisterResponsePayload()
        response.uniqueIdentifier = try await insertNew(attributes: attributes, value: object, context: &context)
        return response
    }

    /// Refuses objects the engine could never serve back: a key block without a value that does not
    /// say where the value is, a Split Key part outside its split, or a Raw symmetric key whose
    /// length contradicts its Cryptographic Length.
    ///
    /// A key registered without its Key Value and with a Key Value Location (KMIP 1.4 §3.42, the
    /// TC-MDO cases: the value stays in an HSM) is metadata only: Key Value Present is false, Get
    /// returns the Key Block as registered, and no cryptographic operation can use it.
    static func checkRegistered(_ object: ManagedObject, attributes: [Attribute] = []) throws {
        guard let block = object.keyBlock else { return }
        guard block.keyValue != nil else {
            guard attributes.first(AttributeName.keyValueLocation) != nil else {
                throw KMIPError(.invalidField, "the Key Block holds no Key Value, and no Key Value Location says where it is")
            }
            return
        }
        if case .splitKey(let part) = object {
            guard part.splitKeyParts >= 1, (1...part.splitKeyParts).contains(part.splitKeyThreshold),
                  (1...part.splitKeyParts).contains(part.keyPartIdentifier) else {
                throw KMIPError(.invalidField, "a Split Key's threshold and Key Part Identifier are 1 to its Split Key Parts")
            }
        }
        if case .symmetricKey = object, let key = block.plainKeyValue, case .byteString(let bytes) = key.keyMaterial {
            guard !bytes.bytes.isEmpty else { throw KMIPError(.invalidField, "the symmetric key is empty") }
            if let length = block.cryptographicLength, Int(length) != bytes.bytes.count * 8,
               block.cryptographicAlgorithm != .tripleDES {
                throw KMIPError(.invalidField, "the key is \(bytes.bytes.count * 8) bits but its Cryptographic Length says \(length)")
            }
        }
    }

    /// The bytes of a PKCS#12 Key Value: a Byte String (TC-PKCS12-2), or Key Material in a structure.
    static func pkcs12Bytes(_ block: KeyBlock) -> [UInt8]? {
        guard block.keyWrappingData == nil else { return nil }
        switch block.keyValue {
        case .wrapped(let bytes)?: return bytes.bytes
        case .plain(let value)?: if case .byteString(let bytes) = value.keyMaterial { return bytes.bytes }
        default: break
        }
        return nil
    }
}
