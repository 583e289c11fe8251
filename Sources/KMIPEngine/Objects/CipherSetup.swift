import KMIP
import KMIPCrypto
import KMIPStore

/// What Encrypt and Decrypt resolve from the object and the request: a symmetric cipher (AES,
/// 3DES; or ChaCha20, ChaCha20-Poly1305, one-shot), or an RSA key with its encryption padding.
enum CipherSetup {
    case symmetric(SymmetricCipher)
    case chacha(ChaChaCipher)
    case rsa(AsymmetricKey, RSAEncryptionPadding)

    /// The Cryptographic Parameters that apply: the request's, else the object's (lowest Attribute
    /// Index), else none (KMIP 1.4 §4.29: omitted parameters are those of the key).
    static func parameters(_ requested: CryptographicParameters?, _ record: ManagedObjectRecord) -> CryptographicParameters? {
        requested ?? record.attributes.first(AttributeName.cryptographicParameters)?.value(as: CryptographicParameters.self)
    }

    /// The symmetric parameters for `p`. Nothing at all, or parameters naming neither a mode nor a
    /// padding (only Random IV, say: MongoDB / libmongocrypt), mean AES-CBC-PKCS5 (docs/security.md, Algorithms). A mode
    /// without a Padding Method means padding None, as the OASIS test cases expect.
    static func symmetricParameters(_ p: CryptographicParameters?) throws -> SymmetricParameters {
        guard let p else { return .default }
        if p.blockCipherMode == .gcm, let tag = p.tagLength, !SymmetricCipher.gcmTagLengths.contains(Int(tag)) {
            // The OASIS cases (CS-BC-M-GCM-1) expect General Failure for an impossible tag length.
            throw KMIPError(.generalFailure, "GCM tag length \(tag) bytes is not one of 16, 15, 14, 13, 12, 8 or 4")
        }
        var parameters = try SymmetricParameters(p)
        if p.blockCipherMode != nil, p.paddingMethod == nil { parameters.padding = .none }
        return parameters
    }

    /// The cipher for `object` and the parameters `p`; `encrypting` picks which RSA key serves.
    /// `keys`: where parsed RSA keys are kept between requests (the engine's).
    static func make(_ object: ManagedObject, _ record: ManagedObjectRecord, _ p: CryptographicParameters?,
                     encrypting: Bool, keys: StoredKeyCache? = nil) throws -> CipherSetup {
        let uid = record.uniqueIdentifier
        guard let block = object.keyBlock else {
            throw KMIPError(.illegalOperation, "object \(uid) is not a key: it cannot \(encrypting ? "encrypt" : "decrypt")")
        }
        guard let key = block.plainKeyValue else {
            throw KMIPError(.cryptographicFailure, "the key of object \(uid) is wrapped; it cannot be used before it is unwrapped")
        }
        let algorithm = block.cryptographicAlgorithm
            ?? record.attributes.first(AttributeName.cryptographicAlgorithm)?.value(as: CryptographicAlgorithm.self)
        if let asked = p?.cryptographicAlgorithm, let algorithm, asked != algorithm {
            throw KMIPError(.invalidField, "Cryptographic Algorithm \(asked.name ?? "\(asked)") does not match the key (\(algorithm.name ?? "\(algorithm)"))")
        }
        switch object {
        case .symmetricKey:
            guard let algorithm else { throw KMIPError(.invalidField, "object \(uid) has no Cryptographic Algorithm") }
            let bytes: SecretBytes
            switch key.keyMaterial {
            case .byteString(let b): bytes = SecretBytes(b.bytes)
            case .transparentSymmetricKey(let t): bytes = SecretBytes(t.key.bytes)
            default: throw KMIPError(.keyFormatTypeNotSupported, "the key material of object \(uid) is not a symmetric key")
            }
            if algorithm == .chaCha20 || algorithm == .chaCha20Poly1305 {
                return .chacha(try ChaChaCipher(algorithm: algorithm, key: bytes, cryptographicParameters: p))
            }
            return .symmetric(try SymmetricCipher(algorithm: algorithm, key: bytes, parameters: symmetricParameters(p)))
        case .publicKey, .privateKey:
            let isPrivate: Bool
            if case .privateKey = object { isPrivate = true } else { isPrivate = false }
            if !encrypting, !isPrivate {
                throw KMIPError(.illegalOperation, "object \(uid) is a Public Key; Decrypt needs the Private Key")
            }
            // Stored keys were validated when they arrived: no full OpenSSL check per operation.
            let load = {
                try AsymmetricKey.$loadingStoredKey.withValue(true) {
                    try AsymmetricKey.importing(key.keyMaterial, format: block.keyFormatType, algorithm: algorithm,
                                                isPrivate: isPrivate)
                }
            }
            let asymmetric = try keys?.key(scopeID: record.scopeID, uniqueIdentifier: record.uniqueIdentifier,
                                           material: key.keyMaterial, load: load) ?? load()
            guard asymmetric.kind == .rsa else {
                throw KMIPError(.cryptographicFailure, "\(asymmetric.kind) keys do not encrypt; RSA keys do")
            }
            return .rsa(asymmetric, try RSAEncryptionPadding(parameters: p ?? CryptographicParameters()))
        default:
            throw KMIPError(.illegalOperation, "a \(object.objectType.name ?? "object") of this type cannot \(encrypting ? "encrypt" : "decrypt")")
        }
    }
}

/// A streaming Encrypt or Decrypt between requests: the object it uses and its cipher context.
struct CipherStream: Sendable {
    let uniqueIdentifier: String
    let cipher: SymmetricCipherContext

    /// A later part may name the stream's object only, and brings no IV or additional data (they
    /// went with the first part).
    static func checkContinuation(_ stream: CipherStream, uniqueIdentifier: String?, iv: ByteString?,
                                  additionalData: ByteString?) throws {
        if let uniqueIdentifier, uniqueIdentifier != stream.uniqueIdentifier {
            throw KMIPError(.invalidField, "the Correlation Value belongs to a stream over another object")
        }
        guard iv == nil, additionalData == nil else {
            throw KMIPError(.invalidField, "IV/Counter/Nonce and additional data go with the first part (Init Indicator)")
        }
    }
}

extension KMIPEngine {
    /// Counts `bytes` (or one use) against the object's Usage Limits, if it has any; Permission
    /// Denied when they are spent. Protecting operations only (KMIP 1.4 §3.21).
    func consumeUsageLimits(_ record: ManagedObjectRecord, bytes: Int, newUse: Bool, _ context: inout OperationContext) async throws {
        guard let current = record.attributes.first(AttributeName.usageLimits)?.value(as: UsageLimits.self) else { return }
        let amount: Int64 = current.usageLimitsUnit == .byte ? Int64(bytes) : (newUse ? 1 : 0)
        guard amount > 0 else { return }
        let placeholder = context.idPlaceholder
        try await modify(record.uniqueIdentifier, &context) { attributes in
            guard var limits = attributes.first(AttributeName.usageLimits)?.value(as: UsageLimits.self) else { return }
            let left = limits.usageLimitsCount ?? limits.usageLimitsTotal
            guard amount <= left else {
                throw KMIPError(.permissionDenied, "the Usage Limits of object \(record.uniqueIdentifier) are spent")
            }
            limits.usageLimitsCount = left - amount
            attributes.set(Attribute(limits))
        }
        context.idPlaceholder = placeholder ?? record.uniqueIdentifier
    }
}
