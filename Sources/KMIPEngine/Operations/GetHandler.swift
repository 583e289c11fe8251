import KMIP
import KMIPStore

extension GetRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.get, roleFlag: "operation_get",
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: GetResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> GetResponsePayload {
        try await engine.get(self, &context)
    }
}

extension KMIPEngine {
    /// Get: the object's value in the stored format or a format it converts to losslessly.
    func get(_ request: GetRequestPayload, _ context: inout OperationContext) async throws -> GetResponsePayload {
        let record = try await record(request.uniqueIdentifier, context)
        context.idPlaceholder = record.uniqueIdentifier
        guard !record.state.isDestroyed, let stored = try record.value() else {
            throw KMIPError(.itemNotFound, "object \(record.uniqueIdentifier) has been destroyed")
        }
        // Not Extractable: the value never leaves, wrapped or not (TC-EXTRACTABLE-1-14).
        if record.attributes.first(AttributeName.extractable)?.value(as: Bool.self) == false {
            throw KMIPError(.notExtractable, "object \(record.uniqueIdentifier) is not extractable")
        }
        // A key registered wrapped leaves as stored when asked for that same wrapping, unwrapped
        // when asked Not Wrapped, and unwrapped then wrapped again when asked for another.
        let storedWrapping = stored.keyBlock?.keyWrappingData
        let asStored = storedWrapping.map { data in request.keyWrappingSpecification.map { Self.matches($0, data) } ?? false } ?? false
        let unwrapping = storedWrapping != nil && !asStored
            && (request.keyWrapType == .notWrapped || request.keyWrappingSpecification != nil)
        // Sensitive: the value leaves only wrapped (TC-SENSITIVE-1-14), see KeyWrapping.swift.
        let leavesWrapped = request.keyWrappingSpecification != nil || (storedWrapping != nil && !unwrapping)
        if Self.isSensitive(record), !leavesWrapped {
            throw KMIPError(.sensitive, "object \(record.uniqueIdentifier) is Sensitive: its value leaves the server only wrapped")
        }
        var response = GetResponsePayload()
        response.objectType = record.objectType
        response.uniqueIdentifier = record.uniqueIdentifier
        let value = unwrapping ? try await unwrapped(stored, of: record, &context) : stored
        response.object = request.keyFormatType == .pkcs12
            ? try await pkcs12Object(value, of: record, context)
            : try Self.converted(value, format: request.keyFormatType, compression: request.keyCompressionType)
        if let spec = request.keyWrappingSpecification, !asStored, let object = response.object {
            response.object = try await wrapped(object, spec, of: record, &context)
        }
        // After converting and wrapping, so a refused Get leaves the object Fresh.
        if record.attributes.first(AttributeName.fresh)?.value(as: Bool.self) == true {
            // Fresh means "never served"; it turns false with the first Get (one write per object).
            let (after, before) = try await objects.modify(scopeID: record.scopeID, uniqueIdentifier: record.uniqueIdentifier, inserting: nil) { served in
                let before = served
                var attributes = served.attributes
                attributes.set(AttributeName.fresh, .boolean(false))
                served.setAttributes(attributes)
                return before
            }
            // Journaled so that an Undo of an earlier change in the batch still finds its object as left.
            context.journal(before: before, after: after)
        }
        return response
    }

    /// Whether a Key Wrapping Specification asks for exactly the wrapping a key was registered with.
    static func matches(_ spec: KeyWrappingSpecification, _ data: KeyWrappingData) -> Bool {
        let mode: (CryptographicParameters?) -> BlockCipherMode = { $0?.blockCipherMode ?? .nISTKeyWrap }
        return spec.attributeNames.isEmpty && spec.macSignatureKeyInformation == nil
            && spec.wrappingMethod == data.wrappingMethod
            && spec.encryptionKeyInformation?.uniqueIdentifier == data.encryptionKeyInformation?.uniqueIdentifier
            && mode(spec.encryptionKeyInformation?.cryptographicParameters) == mode(data.encryptionKeyInformation?.cryptographicParameters)
            && (spec.encodingOption ?? .ttlvEncoding) == (data.encodingOption ?? .ttlvEncoding)
    }

    static func isSensitive(_ record: ManagedObjectRecord) -> Bool {
        record.attributes.first(AttributeName.sensitive)?.value(as: Bool.self) == true
    }

    /// The object in the requested Key Format Type (Raw ↔ Transparent Symmetric Key; Public and
    /// Private Keys: see KeyFormatConversion.swift).
    static func converted(_ object: ManagedObject, format: KeyFormatType?, compression: KeyCompressionType?) throws -> ManagedObject {
        guard var block = object.keyBlock else {
            if format != nil { throw KMIPError(.keyFormatTypeNotSupported, "\(object.objectType.name ?? "this object") has no Key Block") }
            return object
        }
        if let compression, compression != block.keyCompressionType {
            throw KMIPError(.keyCompressionTypeNotSupported, "key compression is not supported")
        }
        guard let format, format != block.keyFormatType else { return object }
        switch object {
        case .publicKey, .privateKey: return try convertedAsymmetric(object, block: block, to: format)
        default: break
        }
        guard let key = block.plainKeyValue else {
            throw KMIPError(.keyFormatTypeNotSupported, "a wrapped key cannot change format")
        }
        switch (object, block.keyFormatType, format, key.keyMaterial) {
        case (.symmetricKey, .raw, .transparentSymmetricKey, .byteString(let bytes)):
            block.keyFormatType = .transparentSymmetricKey
            block.keyValue = .plain(KeyValue(.transparentSymmetricKey(TransparentSymmetricKey(bytes)), attributes: key.attributes))
        case (.symmetricKey, .transparentSymmetricKey, .raw, .transparentSymmetricKey(let t)):
            block.keyFormatType = .raw
            block.keyValue = .plain(KeyValue(.byteString(t.key), attributes: key.attributes))
        default:
            throw KMIPError(.keyFormatTypeNotSupported,
                "\(object.objectType.name ?? "this object") in \(block.keyFormatType.name ?? "its format") cannot be returned as \(format.name ?? "that format")")
        }
        return object.replacingKeyBlock(block)
    }
}

extension ManagedObject {
    func replacingKeyBlock(_ block: KeyBlock) -> ManagedObject {
        switch self {
        case .symmetricKey: .symmetricKey(SymmetricKey(block))
        case .publicKey: .publicKey(PublicKey(block))
        case .privateKey: .privateKey(PrivateKey(block))
        case .secretData(let v): .secretData(SecretData(v.secretDataType, block))
        case .splitKey(var v): { v.keyBlock = block; return .splitKey(v) }()
        case .pgpKey(var v): { v.keyBlock = block; return .pgpKey(v) }()
        case .certificate, .template, .opaqueObject: self
        }
    }
}

extension State {
    var isDestroyed: Bool { self == .destroyed || self == .destroyedCompromised }
}
