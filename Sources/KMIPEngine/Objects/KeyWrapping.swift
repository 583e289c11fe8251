import KMIP
import KMIPCrypto
import KMIPStore

/// Key wrapping on Get (KMIP 1.4 §2.1.5 Key Wrapping Data, §2.1.6 Key Wrapping Specification,
/// §4.11 Get).
///
/// - Wrapping Method Encrypt only. MAC/sign, Encrypt-then-MAC/sign, MAC/sign-then-Encrypt and
///   TR-31 are Operation Not Supported.
/// - The wrapping key, named by Encryption Key Information, is looked up in the caller's scope. It
///   must be Active, before its Protect Stop Date, with Wrap Key in its usage mask (Permission
///   Denied otherwise), and its Usage Limits count the wrapped bytes.
/// - An AES Symmetric Key wraps with AES Key Wrap: Block Cipher Mode NISTKeyWrap (the default) is
///   RFC 3394, AESKeyWrapPadding is RFC 5649. Other modes are Operation Not Supported.
/// - An RSA Public Key wraps with RSA encryption: OAEP (the default) or PKCS#1 v1.5.
/// - Encoding Option No Encoding wraps the key material bytes alone; TTLV Encoding (the default
///   when absent) wraps the TTLV of the Key Value, with the attributes the specification names.
/// Key material is never logged nor put in an error message.
extension KMIPEngine {
    /// `object` (already in the requested Key Format Type) with its Key Value wrapped as `spec` asks.
    func wrapped(_ object: ManagedObject, _ spec: KeyWrappingSpecification, of record: ManagedObjectRecord,
                 _ context: inout OperationContext) async throws -> ManagedObject {
        switch spec.wrappingMethod {
        case .encrypt: break
        case .macSign, .encryptThenMACSign, .macSignThenEncrypt:
            throw KMIPError(.operationNotSupported,
                "Wrapping Method \(spec.wrappingMethod.name ?? "\(spec.wrappingMethod.rawValue)") is not supported: keys are wrapped by Encrypt only")
        default:
            throw KMIPError(.operationNotSupported,
                "Wrapping Method \(spec.wrappingMethod.name ?? "\(spec.wrappingMethod.rawValue)") is not supported: keys are wrapped by Encrypt only")
        }
        guard spec.macSignatureKeyInformation == nil else {
            throw KMIPError(.invalidField, "MAC/Signature Key Information goes with a MAC/sign Wrapping Method, not with Encrypt")
        }
        guard let information = spec.encryptionKeyInformation, !information.uniqueIdentifier.isEmpty else {
            throw KMIPError(.invalidField, "Wrapping Method Encrypt needs Encryption Key Information naming the wrapping key")
        }
        guard var block = object.keyBlock else {
            throw KMIPError(.illegalOperation, "a \(object.objectType.name ?? "object") has no Key Block: it cannot be wrapped")
        }
        guard let value = block.plainKeyValue else {
            throw KMIPError(.operationNotSupported, "the Key Value of object \(record.uniqueIdentifier) is stored wrapped; it cannot be wrapped again")
        }
        guard information.uniqueIdentifier != record.uniqueIdentifier else {
            throw KMIPError(.illegalOperation, "object \(record.uniqueIdentifier) cannot wrap itself")
        }

        // The wrapping key: in the caller's scope, Active, allowed to wrap.
        let placeholder = context.idPlaceholder
        let (wrappingRecord, wrappingKey) = try await keyEncryptionKey(information.uniqueIdentifier, "wrapping", context)
        try CryptographicUse.check(wrappingRecord, usage: .wrapKey, direction: .protect, now: context.now)

        let plaintext = try Self.wrappingInput(value, spec, record, format: block.keyFormatType, context.version)
        let parameters = CipherSetup.parameters(information.cryptographicParameters, wrappingRecord)
        let output: [UInt8]
        switch wrappingKey {
        case .symmetricKey:
            output = try Self.aesKeyWrap(plaintext, key: wrappingKey, wrappingRecord, parameters)
        case .publicKey:
            var rsaParameters = parameters ?? CryptographicParameters()
            if rsaParameters.paddingMethod == nil { rsaParameters.paddingMethod = .oaep }
            guard case .rsa(let key, let padding) = try CipherSetup.make(wrappingKey, wrappingRecord, rsaParameters, encrypting: true) else {
                throw KMIPError(.illegalOperation, "wrapping key \(wrappingRecord.uniqueIdentifier) is not an RSA Public Key")
            }
            output = try key.encrypt(plaintext.bytes, padding: padding)
        default:
            throw KMIPError(.illegalOperation,
                "object \(wrappingRecord.uniqueIdentifier) (\(wrappingKey.objectType.name ?? "object")) cannot wrap keys: a wrapping key is an AES Symmetric Key or an RSA Public Key")
        }
        try await consumeUsageLimits(wrappingRecord, bytes: plaintext.count, newUse: true, &context)
        context.idPlaceholder = placeholder

        var data = KeyWrappingData()
        data.wrappingMethod = .encrypt
        data.encryptionKeyInformation = information
        data.encodingOption = spec.encodingOption
        let structured = spec.encodingOption == .noEncoding && context.compatibility.wrappedKeyValue == .structure
        block.keyValue = structured ? .wrappedKeyMaterial(ByteString(output)) : .wrapped(ByteString(output))
        block.keyWrappingData = data
        return object.replacingKeyBlock(block)
    }

    /// The bytes to wrap: the key material alone (No Encoding) or the Key Value's TTLV.
    static func wrappingInput(_ value: KeyValue, _ spec: KeyWrappingSpecification, _ record: ManagedObjectRecord,
                              format: KeyFormatType, _ version: ProtocolVersion) throws -> SecretBytes {
        switch spec.encodingOption ?? .ttlvEncoding {
        case .noEncoding:
            guard spec.attributeNames.isEmpty else {
                throw KMIPError(.encodingOptionError, "No Encoding wraps the key material alone: wrapping attributes needs TTLV Encoding")
            }
            switch value.keyMaterial {
            case .byteString(let b): return SecretBytes(b.bytes)
            case .transparentSymmetricKey(let t): return SecretBytes(t.key.bytes)
            default:
                throw KMIPError(.encodingOptionError,
                    "key material in \(format.name ?? "this format") is a structure: it can only be wrapped TTLV-encoded")
            }
        case .ttlvEncoding:
            var bound = value
            for name in spec.attributeNames {
                let found = record.attributes.all(name)
                guard !found.isEmpty else {
                    throw KMIPError(.itemNotFound, "object \(record.uniqueIdentifier) has no attribute \(name) to wrap with its key")
                }
                bound.attributes += found
            }
            var writer = TTLVWriter()
            bound.encode(tag: .keyValue, to: &writer, EncodingContext(version: version))
            return SecretBytes(writer.bytes)
        default:
            throw KMIPError(.encodingOptionError, "Encoding Option \(spec.encodingOption?.rawValue ?? 0) is not known")
        }
    }

    /// The key that wraps or unwraps another (`role` names it in errors): in the caller's scope
    /// only, with its value; callers check its state and usage mask for their direction.
    func keyEncryptionKey(_ uid: String, _ role: String, _ context: OperationContext) async throws -> (ManagedObjectRecord, ManagedObject) {
        let record = try await self.record(uid, context)
        guard !record.state.isDestroyed, let key = try record.value() else {
            throw KMIPError(.itemNotFound, "\(role) key \(record.uniqueIdentifier) has been destroyed")
        }
        return (record, key)
    }

    /// AES Key Wrap of `plaintext` under the symmetric `key`: RFC 3394 (NISTKeyWrap, the default)
    /// or RFC 5649 (AESKeyWrapPadding).
    static func aesKeyWrap(_ plaintext: SecretBytes, key: ManagedObject, _ record: ManagedObjectRecord,
                           _ parameters: CryptographicParameters?) throws -> [UInt8] {
        try aesKeyWrapper(key, record, parameters).wrap(plaintext)
    }

    /// AES Key Wrap under the symmetric `key` as `parameters` ask (RFC 3394 by default, or 5649).
    static func aesKeyWrapper(_ key: ManagedObject, _ record: ManagedObjectRecord,
                              _ parameters: CryptographicParameters?) throws -> AESKeyWrap {
        let uid = record.uniqueIdentifier
        guard let block = key.keyBlock, let value = block.plainKeyValue else {
            throw KMIPError(.cryptographicFailure, "wrapping key \(uid) is itself wrapped; it cannot wrap before it is unwrapped")
        }
        let algorithm = block.cryptographicAlgorithm
            ?? record.attributes.first(AttributeName.cryptographicAlgorithm)?.value(as: CryptographicAlgorithm.self)
        guard algorithm == .aes else {
            throw KMIPError(.operationNotSupported,
                "wrapping key \(uid) is \(algorithm?.name ?? "of no algorithm"); symmetric key wrapping is AES Key Wrap, with an AES key")
        }
        if let asked = parameters?.cryptographicAlgorithm, asked != .aes {
            throw KMIPError(.invalidField, "Cryptographic Algorithm \(asked.name ?? "\(asked)") does not match the AES wrapping key")
        }
        let variant: AESKeyWrap.Variant
        switch parameters?.blockCipherMode ?? .nISTKeyWrap {
        case .nISTKeyWrap: variant = .rfc3394
        case .aESKeyWrapPadding: variant = .rfc5649
        case let other:
            throw KMIPError(.operationNotSupported,
                "wrapping with Block Cipher Mode \(other.name ?? "\(other.rawValue)") is not supported: use NISTKeyWrap (RFC 3394) or AESKeyWrapPadding (RFC 5649)")
        }
        if let padding = parameters?.paddingMethod, padding != .none {
            throw KMIPError(.invalidField, "AES Key Wrap takes no Padding Method")
        }
        let kek: SecretBytes
        switch value.keyMaterial {
        case .byteString(let b): kek = SecretBytes(b.bytes)
        case .transparentSymmetricKey(let t): kek = SecretBytes(t.key.bytes)
        default: throw KMIPError(.keyFormatTypeNotSupported, "the key material of wrapping key \(uid) is not a symmetric key")
        }
        return try AESKeyWrap(keyEncryptionKey: kek, variant: variant)
    }

    /// `object` as it was registered wrapped, unwrapped with the key its Key Wrapping Data names:
    /// Get with Key Wrap Type Not Wrapped (§4.11; TC-WRAP-2/3-14). The unwrapping key, in the
    /// caller's scope, must be Active with Unwrap Key (or Wrap Key) in its usage mask; AES Key Wrap
    /// (RFC 3394 or 5649) or RSA (OAEP by default) as the Encryption Key Information says.
    func unwrapped(_ object: ManagedObject, of record: ManagedObjectRecord, _ context: inout OperationContext) async throws -> ManagedObject {
        guard var block = object.keyBlock, let data = block.keyWrappingData else { return object }
        guard data.wrappingMethod == .encrypt, data.macSignatureKeyInformation == nil,
              let information = data.encryptionKeyInformation else {
            throw KMIPError(.operationNotSupported,
                "object \(record.uniqueIdentifier) is wrapped by \(data.wrappingMethod.name ?? "another method"); only Encrypt wrapping is undone")
        }
        let wrapped: [UInt8]
        switch block.keyValue {
        case .wrapped(let bytes)?, .wrappedKeyMaterial(let bytes)?: wrapped = bytes.bytes
        default: throw KMIPError(.invalidField, "object \(record.uniqueIdentifier) has Key Wrapping Data but no wrapped Key Value")
        }
        let (unwrapping, key) = try await keyEncryptionKey(information.uniqueIdentifier, "unwrapping", context)
        // Unwrap Key, or Wrap Key: the key the client wrapped this one under (TC-WRAP-2/3-14 unwrap
        // with a Wrap Key only KEK).
        let mask = unwrapping.attributes.first(AttributeName.cryptographicUsageMask)?.value(as: CryptographicUsageMask.self)
        let usage: CryptographicUsageMask = mask?.contains(.unwrapKey) == false && mask?.contains(.wrapKey) == true ? .wrapKey : .unwrapKey
        try CryptographicUse.check(unwrapping, usage: usage, direction: .process, now: context.now)
        let parameters = CipherSetup.parameters(information.cryptographicParameters, unwrapping)
        let plaintext: SecretBytes
        switch key {
        case .symmetricKey:
            plaintext = try Self.aesKeyWrapper(key, unwrapping, parameters).unwrap(wrapped)
        case .privateKey:
            var rsaParameters = parameters ?? CryptographicParameters()
            if rsaParameters.paddingMethod == nil { rsaParameters.paddingMethod = .oaep }
            guard case .rsa(let rsa, let padding) = try CipherSetup.make(key, unwrapping, rsaParameters, encrypting: false) else {
                throw KMIPError(.illegalOperation, "unwrapping key \(unwrapping.uniqueIdentifier) is not an RSA Private Key")
            }
            plaintext = try rsa.unwrap(wrapped, padding: padding)
        default:
            throw KMIPError(.illegalOperation,
                "object \(unwrapping.uniqueIdentifier) cannot unwrap keys: an unwrapping key is an AES Symmetric Key or an RSA Private Key")
        }
        switch data.encodingOption ?? .ttlvEncoding {
        case .noEncoding:
            block.keyValue = .plain(KeyValue(.byteString(ByteString(plaintext.bytes))))
        default:
            block.keyValue = .plain(try KeyValue(ttlv: plaintext.bytes, keyFormatType: block.keyFormatType))
        }
        block.keyWrappingData = nil
        return object.replacingKeyBlock(block)
    }
}
