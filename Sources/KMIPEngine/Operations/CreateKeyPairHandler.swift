import KMIP
import KMIPCrypto
import KMIPStore

extension CreateKeyPairRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.createKeyPair, roleFlag: "operation_create_key_pair",
                                                  undo: .reversible, work: .heavy)
    static func auditedObjects(of response: CreateKeyPairResponsePayload) -> [String] {
        [response.privateKeyUniqueIdentifier, response.publicKeyUniqueIdentifier]
    }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> CreateKeyPairResponsePayload {
        try await engine.createKeyPair(self, &context)
    }
}

extension KMIPEngine {
    /// Create Key Pair: an RSA (1024–4096), EC (P-256/384/521) or Ed25519 key pair from OpenSSL.
    /// Each key takes the Common Template-Attribute overridden by its own Template-Attribute; the
    /// private key gets a Public Key Link, the public key a Private Key Link. RSA keys are stored in
    /// PKCS#1, EC and Ed25519 keys in PKCS#8 / X.509 (see KeyFormatConversion.swift). The ID
    /// Placeholder is the private key.
    func createKeyPair(_ request: CreateKeyPairRequestPayload, _ context: inout OperationContext) async throws -> CreateKeyPairResponsePayload {
        let (privateTemplate, publicTemplate) = try await keyPairTemplates(
            request.commonTemplateAttribute, request.privateKeyTemplateAttribute, request.publicKeyTemplateAttribute, context)
        let spec = try Self.keyPairSpec(privateTemplate.attributes, publicTemplate.attributes)
        let key = try await heavyWork(context) { try Self.generateKeyPair(spec) }
        let ids = try await insertKeyPair(key, spec: spec, privateTemplate: privateTemplate, publicTemplate: publicTemplate,
                                          privateInherited: [], publicInherited: [], context: &context)
        var response = CreateKeyPairResponsePayload()
        response.privateKeyUniqueIdentifier = ids.private
        response.publicKeyUniqueIdentifier = ids.public
        return response
    }

    /// What to generate: the kind, the algorithm the client named (ECDSA stays ECDSA) and the length.
    struct KeyPairSpec {
        var kind: AsymmetricKeyKind
        var algorithm: CryptographicAlgorithm
        var length: Int32
    }

    /// Each key's template: the common one merged with the key's own, Template objects applied first.
    func keyPairTemplates(_ common: TemplateAttribute?, _ privateKey: TemplateAttribute?, _ publicKey: TemplateAttribute?,
                          _ context: OperationContext) async throws -> (private: TemplateAttribute, public: TemplateAttribute) {
        let common = try await expandingTemplates(common ?? TemplateAttribute(), context)
        return (Self.merged(common, try await expandingTemplates(ifAny: privateKey, context)),
                Self.merged(common, try await expandingTemplates(ifAny: publicKey, context)))
    }

    /// The common template with a key's own template: an attribute the key's template names
    /// replaces every common attribute of that name.
    static func merged(_ common: TemplateAttribute, _ specific: TemplateAttribute?) -> TemplateAttribute {
        guard let specific else { return common }
        let overridden = Set(specific.attributes.map(\.attributeName))
        return TemplateAttribute(common.attributes.filter { !overridden.contains($0.attributeName) } + specific.attributes,
                                 names: common.names + specific.names)
    }

    /// Reads algorithm, curve and length from the two merged templates, which must agree.
    static func keyPairSpec(_ privateAttributes: [Attribute], _ publicAttributes: [Attribute]) throws -> KeyPairSpec {
        func agreed<T: Equatable>(_ name: String, _ read: (Attribute) -> T?) throws -> T? {
            let p = privateAttributes.first(name).flatMap(read)
            let q = publicAttributes.first(name).flatMap(read)
            if let p, let q, p != q { throw KMIPError(.invalidField, "the private and public templates disagree on \(name)") }
            return p ?? q
        }
        guard let algorithm = try agreed(AttributeName.cryptographicAlgorithm, { $0.value(as: CryptographicAlgorithm.self) }) else {
            throw KMIPError(.missingData, "Create Key Pair needs a Cryptographic Algorithm")
        }
        let length = try agreed(AttributeName.cryptographicLength) { $0.value(as: Int32.self) }
        let stated = try agreed(CryptographicDomainParameters.attributeName) {
            $0.value(as: CryptographicDomainParameters.self)?.recommendedCurve
        }
        switch algorithm {
        case .rsa:
            guard let length else { throw KMIPError(.missingData, "Create Key Pair of RSA keys needs a Cryptographic Length") }
            guard (1024...4096).contains(length), length % 8 == 0 else {
                throw KMIPError(.invalidField, "RSA keys are 1024 to 4096 bits in whole bytes, not \(length)")
            }
            return KeyPairSpec(kind: .rsa, algorithm: .rsa, length: length)
        case .ec, .ecdsa, .ecdh, .ecmqv:
            guard let curve = stated ?? curve(forLength: length) else {
                throw KMIPError(.missingData, "Create Key Pair of EC keys needs a Recommended Curve (Cryptographic Domain Parameters) or a length of 256, 384 or 521")
            }
            let ecCurve: ECCurve
            do { ecCurve = try ECCurve(curve) } catch {
                throw KMIPError(.invalidField, "EC keys are made on P-256, P-384 or P-521, not \(curve.name ?? "that curve")")
            }
            if let length, Int(length) != ecCurve.bitLength {
                throw KMIPError(.invalidField, "a \(ecCurve) key is \(ecCurve.bitLength) bits, not \(length)")
            }
            return KeyPairSpec(kind: .ec(ecCurve), algorithm: algorithm, length: Int32(ecCurve.bitLength))
        case .ed25519:
            if let length, length != 255, length != 256 {
                throw KMIPError(.invalidField, "Ed25519 keys are 255 (or 256) bits, not \(length)")
            }
            return KeyPairSpec(kind: .ed25519, algorithm: .ed25519, length: length ?? 255)
        default:
            throw KMIPError(.invalidField, "Create Key Pair makes RSA, EC and Ed25519 keys, not \(algorithm.name ?? "these")")
        }
    }

    /// A fresh key pair. RSA generation is CPU-heavy: callers run it on the heavy pool.
    static func generateKeyPair(_ spec: KeyPairSpec) throws -> AsymmetricKey {
        switch spec.kind {
        case .rsa: try AsymmetricKey.generateRSA(bits: Int(spec.length))
        case .ec(let curve): try AsymmetricKey.generateEC(curve: curve)
        case .ed25519: try AsymmetricKey.generateEd25519()
        }
    }

    /// The two managed objects of a generated key, in the engine's stored formats.
    static func keyPairObjects(_ key: AsymmetricKey, spec: KeyPairSpec) throws -> (private: ManagedObject, public: ManagedObject) {
        let formats = storedFormats(for: key.kind)
        let publicKey = try key.publicKey()
        let privateBlock = KeyBlock(keyFormatType: formats.private, keyMaterial: try key.keyMaterial(formats.private),
                                    cryptographicAlgorithm: spec.algorithm, cryptographicLength: spec.length)
        let publicBlock = KeyBlock(keyFormatType: formats.public, keyMaterial: try publicKey.keyMaterial(formats.public),
                                   cryptographicAlgorithm: spec.algorithm, cryptographicLength: spec.length)
        return (.privateKey(PrivateKey(privateBlock)), .publicKey(PublicKey(publicBlock)))
    }

    /// Builds both keys' attributes (with their links to each other and `extra` links) and stores
    /// them: the private key first, then the public key; if the public key cannot be stored the
    /// private key is removed again. Sets the ID Placeholder to the private key.
    func insertKeyPair(_ key: AsymmetricKey, spec: KeyPairSpec,
                       privateTemplate: TemplateAttribute, publicTemplate: TemplateAttribute,
                       privateInherited: [Attribute], publicInherited: [Attribute],
                       context: inout OperationContext) async throws -> (private: String, public: String) {
        let records = try keyPairRecords(key, spec: spec, privateTemplate: privateTemplate, publicTemplate: publicTemplate,
                                         privateInherited: privateInherited, publicInherited: publicInherited,
                                         privateLinks: [], publicLinks: [], context: context)
        try await objects.insert(records.private)
        context.journalCreated(records.private.uniqueIdentifier)
        do {
            try await objects.insert(records.public)
        } catch {
            do {
                try await objects.delete(scopeID: context.scopeID, uniqueIdentifier: records.private.uniqueIdentifier)
            } catch let removal {
                logger.error("Create Key Pair left private key \(records.private.uniqueIdentifier) without its public key: \(removal)")
            }
            throw error
        }
        context.journalCreated(records.public.uniqueIdentifier)
        context.idPlaceholder = records.private.uniqueIdentifier
        return (records.private.uniqueIdentifier, records.public.uniqueIdentifier)
    }

    /// The records of a new key pair, linked to each other (plus `privateLinks` / `publicLinks`).
    func keyPairRecords(_ key: AsymmetricKey, spec: KeyPairSpec,
                        privateTemplate: TemplateAttribute, publicTemplate: TemplateAttribute,
                        privateInherited: [Attribute], publicInherited: [Attribute],
                        privateLinks: [Link], publicLinks: [Link],
                        context: OperationContext) throws -> (private: ManagedObjectRecord, public: ManagedObjectRecord) {
        let values = try Self.keyPairObjects(key, spec: spec)
        var privateAttributes = try newObjectAttributes(objectType: .privateKey, template: privateTemplate, inherited: privateInherited,
                                                        value: values.private, generated: true, context: context)
        var publicAttributes = try newObjectAttributes(objectType: .publicKey, template: publicTemplate, inherited: publicInherited,
                                                       value: values.public, generated: true, context: context)
        let privateID = privateAttributes.first(AttributeName.uniqueIdentifier)?.value(as: String.self) ?? ""
        let publicID = publicAttributes.first(AttributeName.uniqueIdentifier)?.value(as: String.self) ?? ""
        Self.setLinks(&privateAttributes, privateLinks + [Link(.publicKeyLink, publicID)])
        Self.setLinks(&publicAttributes, publicLinks + [Link(.privateKeyLink, privateID)])
        return (try ManagedObjectRecord(scopeID: context.scopeID, attributes: privateAttributes, value: values.private),
                try ManagedObjectRecord(scopeID: context.scopeID, attributes: publicAttributes, value: values.public))
    }

    /// Adds `links`, replacing any link of the same type (a template may not point a new key elsewhere).
    static func setLinks(_ attributes: inout [Attribute], _ links: [Link]) {
        attributes.removeAll { a in links.contains { a.value(as: Link.self)?.linkType == $0.linkType } }
        attributes.append(contentsOf: links.map { Attribute($0) })
    }
}
