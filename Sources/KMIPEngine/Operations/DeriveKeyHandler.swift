import KMIP
import KMIPCrypto
import KMIPStore

extension DeriveKeyRequestPayload: EngineOperation {
    // Vault has no operation_ flag for Derive Key: only operation_all allows it.
    static let declaration = OperationDeclaration(.deriveKey, roleFlag: nil, undo: .reversible, work: .heavy)
    var auditedObjects: AuditedObjects {
        uniqueIdentifiers.isEmpty ? .objectOrPlaceholder(nil) : .objects(uniqueIdentifiers)
    }
    static func auditedObjects(of response: DeriveKeyResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> DeriveKeyResponsePayload {
        try await engine.deriveKey(self, &context)
    }
}

extension KMIPEngine {
    /// Derive Key (KMIP 1.4 §4.6): a new Symmetric Key or Secret Data from one Symmetric Key or
    /// Secret Data whose usage mask allows Derive Key, by PBKDF2, HMAC (HKDF when a Salt is
    /// given), HASH, NIST SP 800-108 counter mode or encryption. The base object may be Pre-Active
    /// or Active (§4.6 asks only for the usage mask; PyKMIP's suite derives from keys it never
    /// activates); a Deactivated or Compromised key derives nothing new. The derivation runs on the
    /// heavy pool: PBKDF2's iterations are the client's to choose, up to ``KeyDerivation`` limits.
    func deriveKey(_ request: DeriveKeyRequestPayload, _ context: inout OperationContext) async throws -> DeriveKeyResponsePayload {
        guard request.objectType == .symmetricKey || request.objectType == .secretData else {
            throw KMIPError(.invalidField, "Derive Key makes Symmetric Keys and Secret Data, not \(request.objectType.name ?? "this type")")
        }
        if request.derivationMethod == .asymmetricKey { return try await deriveByKeyAgreement(request, &context) }
        guard request.uniqueIdentifiers.count <= 1 else {
            throw KMIPError(.featureNotSupported, "Derive Key derives from one object; \(request.uniqueIdentifiers.count) were named")
        }
        let base = try await derivationBase(request.uniqueIdentifiers.first, &context)
        let template = try await expandingTemplates(request.templateAttribute, context)
        let derivation = try KeyDerivation(request.derivationMethod, request.derivationParameters, base: base,
                                           bits: template[AttributeName.cryptographicLength]?.value(as: Int32.self))
        let material = try await heavyWork(context) { try derivation.derive() }
        return try await storeDerived(material, request, template: template, bases: [base.uniqueIdentifier], &context)
    }

    /// The derived object, linked to what it was derived from.
    func storeDerived(_ material: [UInt8], _ request: DeriveKeyRequestPayload, template: TemplateAttribute, bases: [String],
                      _ context: inout OperationContext) async throws -> DeriveKeyResponsePayload {
        let block: KeyBlock
        let value: ManagedObject
        if request.objectType == .symmetricKey {
            guard let algorithm = template[AttributeName.cryptographicAlgorithm]?.value(as: CryptographicAlgorithm.self) else {
                throw KMIPError(.missingData, "Derive Key of a Symmetric Key needs a Cryptographic Algorithm")
            }
            block = KeyBlock(keyFormatType: .raw, keyMaterial: .byteString(ByteString(material)),
                             cryptographicAlgorithm: algorithm, cryptographicLength: Int32(material.count * 8))
            value = .symmetricKey(SymmetricKey(block))
        } else {
            block = KeyBlock(keyFormatType: .opaque, keyMaterial: .byteString(ByteString(material)))
            value = .secretData(SecretData(.seed, block))
        }
        var attributes = try newObjectAttributes(objectType: request.objectType, template: template, value: value, context: context)
        for base in bases { attributes.append(Attribute(Link(.derivationBaseObjectLink, base))) }
        var response = DeriveKeyResponsePayload()
        response.uniqueIdentifier = try await insertNew(attributes: attributes, value: value, context: &context)
        return response
    }

    /// The object to derive from: a Symmetric Key or Secret Data with plain key material, Pre-Active
    /// or Active, whose usage mask (when it has one) holds Derive Key.
    func derivationBase(_ requested: String?, _ context: inout OperationContext) async throws -> DerivationBase {
        let (record, value) = try await derivableRecord(requested, context)
        let block: KeyBlock
        switch value {
        case .symmetricKey(let key): block = key.keyBlock
        case .secretData(let secret): block = secret.keyBlock
        default:
            throw KMIPError(.invalidObjectType, "keys are derived from a Symmetric Key or Secret Data; object \(record.uniqueIdentifier) is a \(value.objectType.name ?? "different type")")
        }
        guard let keyValue = block.plainKeyValue else {
            throw KMIPError(.cryptographicFailure, "object \(record.uniqueIdentifier) is wrapped; it cannot be used")
        }
        let material: [UInt8]
        switch keyValue.keyMaterial {
        case .byteString(let bytes): material = bytes.bytes
        case .transparentSymmetricKey(let t): material = t.key.bytes
        default: throw KMIPError(.invalidField, "object \(record.uniqueIdentifier) holds no key material to derive from")
        }
        guard !material.isEmpty else { throw KMIPError(.invalidField, "object \(record.uniqueIdentifier) holds empty key material") }
        let algorithm = block.cryptographicAlgorithm
            ?? record.attributes.first(AttributeName.cryptographicAlgorithm)?.value(as: CryptographicAlgorithm.self)
        return DerivationBase(uniqueIdentifier: record.uniqueIdentifier, key: SecretBytes(material), algorithm: algorithm,
                              parameters: Self.cryptoServiceParameters(nil, record))
    }
}

extension KMIPEngine {
    /// An object a key may be derived from: in the caller's scope, not destroyed, Pre-Active or
    /// Active, with Derive Key in its usage mask when it has one.
    func derivableRecord(_ requested: String?, _ context: OperationContext) async throws -> (ManagedObjectRecord, ManagedObject) {
        let record = try await record(requested, context)
        guard !record.state.isDestroyed, let value = try record.value() else {
            throw KMIPError(.itemNotFound, "object \(record.uniqueIdentifier) has been destroyed")
        }
        let state = record.effectiveState(at: context.now)
        guard state == .preActive || state == .active else {
            throw KMIPError(.permissionDenied, "object \(record.uniqueIdentifier) is \(state.name ?? "not usable"); no key is derived from it")
        }
        if let mask = record.attributes.first(AttributeName.cryptographicUsageMask)?.value(as: CryptographicUsageMask.self),
           mask.rawValue & CryptographicUsageMask.deriveKey.rawValue == 0 {
            throw KMIPError(.permissionDenied, "the Cryptographic Usage Mask of object \(record.uniqueIdentifier) does not allow Derive Key")
        }
        return (record, value)
    }

    /// Derive Key by Asymmetric Key (KMIP 1.4 §4.6, TC-DERIVEKEY-6-14): ECDH of a Private Key and a
    /// Public Key of the caller's scope, in either order; the new key is the shared secret's
    /// leading Cryptographic Length bits (all of it when no length is named). The private key never
    /// leaves; the agreement runs on the heavy pool.
    func deriveByKeyAgreement(_ request: DeriveKeyRequestPayload, _ context: inout OperationContext) async throws -> DeriveKeyResponsePayload {
        guard request.uniqueIdentifiers.count == 2 else {
            throw KMIPError(.invalidField, "Derive Key by Asymmetric Key names a Private Key and a Public Key")
        }
        let algorithm = request.derivationParameters.cryptographicParameters?.cryptographicAlgorithm ?? .ecdh
        guard algorithm == .ecdh else {
            throw KMIPError(.featureNotSupported, "Derive Key by Asymmetric Key offers ECDH, not \(algorithm.name ?? "this algorithm")")
        }
        var privateKey: AsymmetricKey?, publicKey: AsymmetricKey?
        for uid in request.uniqueIdentifiers {
            let (record, value) = try await derivableRecord(uid, context)
            let key = try Self.asymmetricKey(of: value, attributes: record.attributes, stored: true)
            switch value {
            case .privateKey where privateKey == nil: privateKey = key
            case .publicKey where publicKey == nil: publicKey = key
            default: throw KMIPError(.invalidObjectType, "Derive Key by Asymmetric Key names one Private Key and one Public Key")
            }
        }
        guard let privateKey, let publicKey else {
            throw KMIPError(.invalidObjectType, "Derive Key by Asymmetric Key names one Private Key and one Public Key")
        }
        let template = try await expandingTemplates(request.templateAttribute, context)
        let secret = try await heavyWork(context) { try privateKey.agree(with: publicKey) }
        var bytes = secret.count
        if let bits = template[AttributeName.cryptographicLength]?.value(as: Int32.self) {
            guard bits >= 8, bits % 8 == 0, Int(bits) <= secret.count * 8 else {
                throw KMIPError(.invalidField, "ECDH here gives at most \(secret.count * 8) bits in whole bytes, not \(bits)")
            }
            bytes = Int(bits) / 8
        }
        return try await storeDerived(Array(secret.bytes.prefix(bytes)), request, template: template,
                                      bases: request.uniqueIdentifiers, &context)
    }
}

/// The base object of a derivation, read and checked.
struct DerivationBase: Sendable {
    let uniqueIdentifier: String
    let key: SecretBytes
    let algorithm: CryptographicAlgorithm?
    /// The object's own Cryptographic Parameters, for derivation by encryption.
    let parameters: CryptographicParameters?
}

/// One derivation, checked before any work is done: the method, its parameters and the output
/// length in bytes.
struct KeyDerivation: Sendable {
    /// Longest derived object: 8,192 bits (HMAC keys stop at 4,096; Secret Data a little further).
    static let maxBits: Int32 = 8_192
    /// PBKDF2's cost: at most 2,000,000 HMAC computations (iterations × output blocks), about 3 s of
    /// one core here, run on the heavy pool in the caller's turn.
    static let maxPBKDF2Work = 2_000_000
    /// Longest Derivation Data, Salt or Initialization Vector: 64 KiB.
    static let maxInputLength = 64 << 10
    /// HMAC as a PRF: SHA-1 is still sound inside HMAC (RFC 6070, SP 800-132); MD2, MD4 and MD5 are not.
    static let prfPolicy = MACPolicy(refusedForGeneration: [.md2, .md4, .md5], refusedForVerification: [.md2, .md4, .md5])

    enum Method: Sendable {
        case pbkdf2(HashingAlgorithm, salt: [UInt8], iterations: Int)
        case hmac(HashingAlgorithm, data: [UInt8])
        case hkdf(HashingAlgorithm, salt: [UInt8], info: [UInt8])
        case hash(HashingAlgorithm)
        case counterMode(HashingAlgorithm, fixedInput: [UInt8])
        case encryption(SymmetricCipher, data: [UInt8], iv: [UInt8]?)
    }

    let method: Method
    let key: SecretBytes
    let length: Int

    init(_ derivationMethod: DerivationMethod, _ p: DerivationParameters, base: DerivationBase, bits: Int32?) throws {
        for input in [p.derivationData, p.salt, p.initializationVector] {
            if let input, input.count > Self.maxInputLength {
                throw KMIPError(.invalidField, "Derivation Parameters hold at most \(Self.maxInputLength) bytes per field")
            }
        }
        key = base.key
        let hashing = p.cryptographicParameters?.hashingAlgorithm
        switch derivationMethod {
        case .pbkdf2:
            // §4.6: the PRF defaults to HMAC-SHA-1 when no Hashing Algorithm is given.
            let algorithm = hashing ?? .sha1
            guard let salt = p.salt else { throw KMIPError(.missingData, "PBKDF2 needs a Salt") }
            guard let count = p.iterationCount else { throw KMIPError(.missingData, "PBKDF2 needs an Iteration Count") }
            guard count >= 1 else { throw KMIPError(.invalidField, "the Iteration Count must be at least 1") }
            length = try Self.length(bits, default: nil, method: "PBKDF2")
            let blocks = (length + (try DigestAlgorithm(algorithm)).size - 1) / (try DigestAlgorithm(algorithm)).size
            guard Int(count) <= Self.maxPBKDF2Work / blocks else {
                throw KMIPError(.invalidField, "PBKDF2 is limited to \(Self.maxPBKDF2Work / blocks) iterations for this length")
            }
            method = .pbkdf2(algorithm, salt: salt.bytes, iterations: Int(count))
        case .hmac:
            let algorithm = try Self.required(hashing, "HMAC")
            let size = try DigestAlgorithm(algorithm).size
            if let salt = p.salt {
                // With a Salt, HMAC derivation is HKDF (RFC 5869): extract with the Salt, expand with
                // the Derivation Data as info — PyKMIP's reading, which also derives longer keys.
                length = try Self.length(bits, default: size, method: "HKDF", max: 255 * size)
                method = .hkdf(algorithm, salt: salt.bytes, info: p.derivationData?.bytes ?? [])
            } else {
                // Without one it is the HMAC of the Derivation Data, truncated (the OASIS test cases).
                length = try Self.length(bits, default: size, method: "HMAC", max: size)
                method = .hmac(algorithm, data: p.derivationData?.bytes ?? [])
            }
        case .hash:
            let algorithm = try Self.required(hashing, "HASH")
            guard p.derivationData == nil else {
                throw KMIPError(.invalidField, "HASH derives from the key alone; it takes no Derivation Data")
            }
            let size = try DigestAlgorithm(algorithm).size
            length = try Self.length(bits, default: size, method: "HASH", max: size)
            method = .hash(algorithm)
        case .nist800108C:
            let algorithm = try Self.required(hashing, "NIST SP 800-108 counter mode")
            guard let fixed = p.derivationData else {
                throw KMIPError(.missingData, "NIST SP 800-108 counter mode needs Derivation Data (its fixed input)")
            }
            length = try Self.length(bits, default: nil, method: "NIST SP 800-108 counter mode")
            method = .counterMode(algorithm, fixedInput: fixed.bytes)
        case .encrypt:
            guard let data = p.derivationData, data.count > 0 else {
                throw KMIPError(.missingData, "derivation by encryption needs Derivation Data to encrypt")
            }
            var parameters = p.cryptographicParameters ?? base.parameters ?? CryptographicParameters()
            if parameters.cryptographicAlgorithm == nil { parameters.cryptographicAlgorithm = base.algorithm }
            guard let algorithm = parameters.cryptographicAlgorithm else {
                throw KMIPError(.missingData, "derivation by encryption needs the key's Cryptographic Algorithm")
            }
            let cipher = try SymmetricCipher.forDerivation(algorithm: algorithm, key: base.key, cryptographicParameters: parameters)
            let most = data.count + cipher.blockSize
            length = try Self.length(bits, default: nil, method: "derivation by encryption", max: most)
            method = .encryption(cipher, data: data.bytes, iv: p.initializationVector?.bytes)
        default:
            throw KMIPError(.featureNotSupported, "Derive Key by \(derivationMethod.name ?? "this method") is not supported")
        }
    }

    /// The derived bytes.
    func derive() throws -> [UInt8] {
        let output: [UInt8]
        switch method {
        case .pbkdf2(let algorithm, let salt, let iterations):
            output = try Self.pbkdf2(HMAC(algorithm, key: key, policy: Self.prfPolicy), salt: salt, iterations: iterations, length: length)
        case .hmac(let algorithm, let data):
            output = try HMAC(algorithm, key: key, policy: Self.prfPolicy).mac(data)
        case .hkdf(let algorithm, let salt, let info):
            let size = try DigestAlgorithm(algorithm).size
            // RFC 5869 §2.2: an absent salt is a string of HashLen zeros.
            let extractKey = salt.isEmpty ? [UInt8](repeating: 0, count: size) : salt
            let prk = try HMAC(algorithm, key: SecretBytes(extractKey), policy: Self.prfPolicy).mac(key.withUnsafeBytes { Array($0) })
            output = try Self.hkdfExpand(HMAC(algorithm, key: SecretBytes(prk), policy: Self.prfPolicy), info: info, length: length)
        case .hash(let algorithm):
            output = try key.withUnsafeBytes { try DigestAlgorithm(algorithm).hash(Array($0)) }
        case .counterMode(let algorithm, let fixedInput):
            output = try Self.counterMode(HMAC(algorithm, key: key, policy: Self.prfPolicy), fixedInput: fixedInput, length: length)
        case .encryption(let cipher, let data, let iv):
            output = try cipher.encrypt(data, iv: iv).data
        }
        guard output.count >= length else {
            throw KMIPError(.cryptographicFailure, "the derivation produced \(output.count * 8) bits, fewer than the \(length * 8) asked")
        }
        return Array(output.prefix(length))
    }

    /// PBKDF2 (RFC 8018 §5.2): T_i = U_1 ⊕ … ⊕ U_c, U_1 = PRF(P, S ‖ INT(i)), U_j = PRF(P, U_{j-1}).
    static func pbkdf2(_ prf: HMAC, salt: [UInt8], iterations: Int, length: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(length + prf.macLength)
        var block: UInt32 = 1
        while output.count < length {
            var u = try prf.mac(salt + bigEndian(block))
            var t = u
            for _ in 1..<max(iterations, 1) {
                u = try prf.mac(u)
                for k in t.indices { t[k] ^= u[k] }
            }
            output += t
            block += 1
        }
        return output
    }

    /// HKDF-Expand (RFC 5869 §2.3): T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i).
    static func hkdfExpand(_ prf: HMAC, info: [UInt8], length: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        var previous: [UInt8] = []
        var counter: UInt8 = 1
        while output.count < length {
            previous = try prf.mac(previous + info + [counter])
            output += previous
            counter &+= 1
        }
        return output
    }

    /// NIST SP 800-108 KDF in counter mode with HMAC: K(i) = PRF(K_I, [i]_32 ‖ fixed input), the
    /// 32-bit counter before the fixed input, which the client supplies whole (label, context, L).
    static func counterMode(_ prf: HMAC, fixedInput: [UInt8], length: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        var counter: UInt32 = 1
        while output.count < length {
            output += try prf.mac(bigEndian(counter) + fixedInput)
            counter += 1
        }
        return output
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    static func required(_ hashing: HashingAlgorithm?, _ method: String) throws -> HashingAlgorithm {
        guard let hashing else { throw KMIPError(.missingData, "\(method) derivation needs a Hashing Algorithm in its Cryptographic Parameters") }
        return hashing
    }

    /// The output length in bytes from the template's Cryptographic Length in bits.
    static func length(_ bits: Int32?, default defaultBytes: Int?, method: String, max most: Int? = nil) throws -> Int {
        guard let bits else {
            guard let defaultBytes else { throw KMIPError(.missingData, "\(method) needs a Cryptographic Length in the template") }
            return defaultBytes
        }
        guard bits >= 8, bits <= maxBits, bits % 8 == 0 else {
            throw KMIPError(.invalidField, "a derived object is 8 to \(maxBits) bits in whole bytes, not \(bits)")
        }
        let bytes = Int(bits) / 8
        if let most, bytes > most {
            throw KMIPError(.invalidField, "\(method) derives at most \(most * 8) bits here, not \(bits)")
        }
        return bytes
    }
}
