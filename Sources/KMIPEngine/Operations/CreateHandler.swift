import KMIP
import KMIPCrypto

extension CreateRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.create, roleFlag: "operation_create",
                                                  undo: .reversible)
    static func auditedObjects(of response: CreateResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> CreateResponsePayload {
        try await engine.create(self, &context)
    }
}

extension KMIPEngine {
    /// Create: a new symmetric key (AES, 3DES, HMAC) or Secret Data from the server's DRBG.
    func create(_ request: CreateRequestPayload, _ context: inout OperationContext) async throws -> CreateResponsePayload {
        let template = try await expandingTemplates(request.templateAttribute, context)
        let value: ManagedObject
        switch request.objectType {
        case .symmetricKey:
            value = .symmetricKey(SymmetricKey(try Self.generateSymmetricKey(template)))
        case .secretData:
            value = .secretData(SecretData(.password, try Self.generateSecretData(template)))
        default:
            throw KMIPError(.invalidField, "Create makes Symmetric Keys and Secret Data; use Create Key Pair or Register for \(request.objectType.name ?? "this type")")
        }
        let attributes = try newObjectAttributes(objectType: request.objectType, template: template, value: value, generated: true, context: context)
        var response = CreateResponsePayload()
        response.objectType = request.objectType
        response.uniqueIdentifier = try await insertNew(attributes: attributes, value: value, context: &context)
        return response
    }

    static func generateSymmetricKey(_ template: TemplateAttribute) throws -> KeyBlock {
        guard let algorithm = template[AttributeName.cryptographicAlgorithm]?.value(as: CryptographicAlgorithm.self) else {
            throw KMIPError(.missingData, "Create of a Symmetric Key needs a Cryptographic Algorithm")
        }
        guard let length = template[AttributeName.cryptographicLength]?.value(as: Int32.self) else {
            throw KMIPError(.missingData, "Create of a Symmetric Key needs a Cryptographic Length")
        }
        let bytes = try symmetricKeyBytes(algorithm: algorithm, length: length)
        let material = try RNG.retrieve(count: bytes)
        return KeyBlock(keyFormatType: .raw, keyMaterial: .byteString(ByteString(material.bytes)),
                        cryptographicAlgorithm: algorithm, cryptographicLength: length)
    }

    /// Key sizes (bits) of algorithms whose keys Strongroom makes and holds for clients that run
    /// the cipher themselves (PyKMIP's suite creates IDEA keys) but never uses in Encrypt or Decrypt.
    /// 128 bits at least: the shorter sizes Blowfish and CAST5 allow are not offered.
    static let heldOnlyKeyLengths: [CryptographicAlgorithm: Set<Int32>] = [
        .idea: [128],
        .camellia: [128, 192, 256],
        .twofish: [128, 192, 256],
        .blowfish: Set(stride(from: 128, through: 448, by: 8)),
        .cast5: [128],
        .chaCha20: [256],
        .chaCha20Poly1305: [256],
    ]

    /// The key size in bytes for an algorithm and a Cryptographic Length in bits.
    static func symmetricKeyBytes(algorithm: CryptographicAlgorithm, length: Int32) throws -> Int {
        switch algorithm {
        case .aes:
            guard [128, 192, 256].contains(length) else {
                throw KMIPError(.invalidField, "AES keys are 128, 192 or 256 bits, not \(length)")
            }
            return Int(length) / 8
        case .tripleDES:
            guard [112, 168, 192].contains(length) else {
                throw KMIPError(.invalidField, "3DES keys are 112, 168 or 192 bits, not \(length)")
            }
            return length == 112 ? 16 : 24
        case .hmacSHA1, .hmacSHA224, .hmacSHA256, .hmacSHA384, .hmacSHA512, .hmacMD5,
             .hmacSHA3224, .hmacSHA3256, .hmacSHA3384, .hmacSHA3512:
            guard length >= 8, length <= 4096, length % 8 == 0 else {
                throw KMIPError(.invalidField, "HMAC keys are 8 to 4096 bits in whole bytes, not \(length)")
            }
            return Int(length) / 8
        case let algorithm where heldOnlyKeyLengths[algorithm] != nil:
            guard heldOnlyKeyLengths[algorithm]?.contains(length) == true else {
                throw KMIPError(.invalidField, "\(algorithm.name ?? "these") keys cannot be \(length) bits")
            }
            return Int(length) / 8
        default:
            throw KMIPError(.invalidField, "Create does not make \(algorithm.name ?? "these") keys")
        }
    }

    static func generateSecretData(_ template: TemplateAttribute) throws -> KeyBlock {
        let length = template[AttributeName.cryptographicLength]?.value(as: Int32.self) ?? 256
        guard length >= 8, length <= 65_536, length % 8 == 0 else {
            throw KMIPError(.invalidField, "Secret Data length must be 8 to 65536 bits in whole bytes, not \(length)")
        }
        let material = try RNG.retrieve(count: Int(length) / 8)
        return KeyBlock(keyFormatType: .opaque, keyMaterial: .byteString(ByteString(material.bytes)))
    }
}
